"""The meetings tests' small history, for the export tests here that compare every list."""

from tests.meetings.conftest import account_manager, history, scoped_manager  # noqa: F401
