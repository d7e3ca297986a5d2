"""The security regressions reuse the meetings tests' hand-countable history."""

from tests.meetings.conftest import account_manager, history  # noqa: F401
