"""Plain HTTP is allowed only to this machine (the sandbox); anything else must be HTTPS."""

from __future__ import annotations

import os

import pytest

from gotomeeting import GoToMeetingClient, OAuthConfig, is_loopback_host
from gotomeeting.secure_urls import insecure_transport_allowed_for

from .answers import GROUPS
from .conftest import fresh_token


def config(base):
    return OAuthConfig(
        client_id="portal-demo",
        client_secret="portal-demo-secret",
        authorize_url=f"{base}/oauth/authorize",
        token_url=f"{base}/oauth/token",
        direct_login_url=f"{base}/oauth/access_token",
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.8.7", "localhost", "::1", "[::1]"])
def test_loopback_hosts_are_recognised(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "api.getgo.com", "localhost.evil.example", ""])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


def test_plain_http_oauth_urls_to_another_host_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="plain HTTP to a host other than this machine"):
        config("http://auth.example.test")


def test_plain_http_api_base_to_another_host_is_refused():
    with pytest.raises(ValueError, match="api_base_url"):
        GoToMeetingClient(
            api_base_url="http://api.example.test/G2M/rest",
            oauth=config("https://auth.example.test"),
            token=fresh_token(),
        )


def test_plain_http_to_loopback_works_for_api_calls_and_leaves_the_environment_alone(api):
    os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    sandbox = "http://127.0.0.1:8765"
    client = GoToMeetingClient(
        api_base_url=f"{sandbox}/G2M/rest", oauth=config(sandbox), token=fresh_token()
    )
    api.get(f"{sandbox}/G2M/rest/groups", json=GROUPS)
    assert len(client.get_groups()) == 1
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_the_insecure_transport_variable_is_set_only_during_a_loopback_request():
    os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    with insecure_transport_allowed_for("http://localhost:8765/x"):
        with insecure_transport_allowed_for("http://127.0.0.1:8765/y"):
            assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"
        assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "1"
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    with insecure_transport_allowed_for("https://api.getgo.com/G2M/rest"):
        assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_a_value_set_before_is_restored():
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "yes"
    try:
        with insecure_transport_allowed_for("http://127.0.0.1/x"):
            pass
        assert os.environ["OAUTHLIB_INSECURE_TRANSPORT"] == "yes"
    finally:
        os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)


def test_non_http_schemes_are_refused():
    with pytest.raises(ValueError, match="not an http"):
        config("ftp://127.0.0.1")
