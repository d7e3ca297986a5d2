"""The security regressions reuse fixtures of the areas they probe."""

from tests.accounts.test_goto_login_round_trip import browser  # noqa: F401
from tests.meetings.conftest import account_manager, history  # noqa: F401
