"""Tokens and passwords never reach the logs, whatever library logs at DEBUG.

A real client talks to the sandbox (password grant, a token refresh, API calls) with every
logger at DEBUG. requests-oauthlib logs the whole token dict and the Authorization header at
DEBUG; portal.logging.RedactingFilter on the root handler blanks them before any output.
"""

from __future__ import annotations

import logging
import time

import pytest

from accounts.connections import log_api_call, oauth_config
from gotomeeting import GoToMeetingClient
from gotomeeting.auth import direct_login

LOGGERS = ("", "urllib3", "requests", "requests_oauthlib", "oauthlib", "gotomeeting", "portal")
PASSWORD = "demo"  # the sandbox users' password


def _password_appears(text: str) -> bool:
    # The demo OAuth client is called "portal-demo": that is not the password.
    return PASSWORD in text.replace("portal-demo-secret", "").replace("portal-demo", "")


@pytest.mark.django_db
def test_tokens_and_password_never_reach_the_logs(
    sandbox, sandbox_settings, caplog, console_output
):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)

    first = direct_login(oauth_config(), username="admin@acme.example", password=PASSWORD)
    expiring = {**first, "expires_at": time.time()}  # so the client refreshes before its call
    client = GoToMeetingClient(
        api_base_url=sandbox.api_base_url,
        oauth=oauth_config(),
        token=expiring,
        on_call=log_api_call,
        sleep=lambda seconds: None,
    )
    client.get_groups()
    client.get_organizers()
    refreshed = client.token
    assert refreshed["access_token"] != first["access_token"], "no refresh happened"

    secrets = {
        "first access token": first["access_token"],
        "first refresh token": first["refresh_token"],
        "refreshed access token": refreshed["access_token"],
        "refreshed refresh token": refreshed["refresh_token"],
        "client secret": sandbox_settings.GOTO_CLIENT_SECRET,
    }
    captured = "\n".join(
        record.getMessage() + "\n" + (record.exc_text or "") for record in caplog.records
    )
    shipped = console_output.getvalue()
    assert "GET /groups" in shipped and "urllib3" in shipped  # DEBUG lines were written
    for text, where in ((captured, "captured records"), (shipped, "the console handler")):
        for what, secret in secrets.items():
            assert secret not in text, f"the {what} is in {where}"
        assert not _password_appears(text), f"the password is in {where}"
    # The libraries did try: their lines reached the output with the values blanked.
    assert "[REDACTED]" in shipped
    assert any(
        record.name.startswith("requests_oauthlib") and "[REDACTED]" in record.getMessage()
        for record in caplog.records
    )
