"""The OAuth helpers: authorize URL with PKCE, code exchange, refresh and Direct Login."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from gotomeeting import (
    TransportError,
    Unauthorized,
    authorization_url,
    direct_login,
    exchange_code,
    make_pkce_pair,
    refresh_access_token,
)

from .conftest import DIRECT_LOGIN_URL, TOKEN_URL

BASIC = "Basic " + base64.b64encode(b"portal-demo:portal-demo-secret").decode()
TOKEN_ANSWER = {
    "access_token": "a1",
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": "r1",
    "organizer_key": 300,
    "account_key": 1000,
    "email": "admin@acme.example",
}


def form_of(call):
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def test_authorization_url_carries_client_state_redirect_and_s256_challenge(oauth):
    verifier, challenge = make_pkce_pair()
    url = authorization_url(
        oauth, state="xyz", redirect_uri="https://portal.example.test/cb", code_challenge=challenge
    )
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == oauth.authorize_url
    assert query == {
        "client_id": "portal-demo",
        "response_type": "code",
        "redirect_uri": "https://portal.example.test/cb",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def test_authorization_url_without_pkce_has_no_challenge_and_uses_the_configured_redirect(oauth):
    query = parse_qs(urlsplit(authorization_url(oauth, state="s")).query)
    assert "code_challenge" not in query
    assert query["redirect_uri"] == [oauth.redirect_uri]


def test_pkce_challenge_is_the_unpadded_sha256_of_the_verifier():
    verifier, challenge = make_pkce_pair()
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert make_pkce_pair()[0] != verifier


def test_exchange_code_sends_basic_auth_and_the_code_verifier(api, oauth):
    api.post(TOKEN_URL, json=TOKEN_ANSWER)
    token = exchange_code(
        oauth, code="c0de", redirect_uri="https://p.example/cb", code_verifier="v"
    )
    call = api.calls[0]
    assert call.request.headers["Authorization"] == BASIC
    assert form_of(call) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://p.example/cb",
        "code_verifier": "v",
    }
    assert token["organizer_key"] == 300
    assert token["expires_at"] == pytest.approx(time.time() + 3600, abs=5)


def test_exchange_code_with_a_bad_code_is_unauthorized_with_the_oauth_error(api, oauth):
    api.post(TOKEN_URL, status=400, json={"error": "invalid_grant", "error_description": "used"})
    with pytest.raises(Unauthorized) as caught:
        exchange_code(oauth, code="used")
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        400,
        "invalid_grant",
        "used",
    )


def test_bad_client_credentials_are_unauthorized(api, oauth):
    api.post(TOKEN_URL, status=401, json={"error": "invalid_client"})
    with pytest.raises(Unauthorized, match="invalid_client"):
        refresh_access_token(oauth, "r1")


def test_refresh_sends_basic_auth_and_keeps_the_old_refresh_token_when_none_comes_back(api, oauth):
    api.post(TOKEN_URL, json={"access_token": "a2", "expires_in": "3600"})
    token = refresh_access_token(oauth, "r1")
    assert api.calls[0].request.headers["Authorization"] == BASIC
    assert "client_secret" not in api.calls[0].request.body
    assert form_of(api.calls[0]) == {"grant_type": "refresh_token", "refresh_token": "r1"}
    assert token["refresh_token"] == "r1"
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600


def test_refresh_takes_a_rotated_refresh_token(api, oauth):
    api.post(TOKEN_URL, json={**TOKEN_ANSWER, "refresh_token": "r2"})
    assert refresh_access_token(oauth, "r1")["refresh_token"] == "r2"


def test_direct_login_uses_the_password_grant_on_the_token_endpoint(api, oauth):
    api.post(TOKEN_URL, json=TOKEN_ANSWER)
    token = direct_login(oauth, username="admin@acme.example", password="demo")
    assert api.calls[0].request.headers["Authorization"] == BASIC
    assert form_of(api.calls[0]) == {
        "grant_type": "password",
        "username": "admin@acme.example",
        "password": "demo",
    }
    assert token["access_token"] == "a1"


def test_direct_login_falls_back_to_the_legacy_form_when_the_grant_is_unsupported(api, oauth):
    api.post(TOKEN_URL, status=400, json={"error": "unsupported_grant_type"})
    api.post(DIRECT_LOGIN_URL, json={**TOKEN_ANSWER, "expires_in": "3600"})
    token = direct_login(oauth, username="admin@acme.example", password="demo")
    legacy = api.calls[1]
    assert "Authorization" not in legacy.request.headers
    assert form_of(legacy) == {
        "grant_type": "password",
        "user_id": "admin@acme.example",
        "password": "demo",
        "client_id": "portal-demo",
    }
    assert token["expires_in"] == 3600
    assert token["expires_at"] == pytest.approx(time.time() + 3600, abs=5)


def test_direct_login_with_a_wrong_password_does_not_try_the_legacy_form(api, oauth):
    api.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    with pytest.raises(Unauthorized, match="invalid_grant"):
        direct_login(oauth, username="admin@acme.example", password="wrong")
    assert len(api.calls) == 1


def test_a_token_endpoint_that_does_not_answer_is_a_transport_error(api, oauth):
    api.post(TOKEN_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(TransportError):
        refresh_access_token(oauth, "r1")


def test_a_token_endpoint_failure_names_no_host_or_port(api, oauth):
    api.post(
        TOKEN_URL,
        body=requests.exceptions.ConnectionError(
            "HTTPSConnectionPool(host='auth.internal', port=8443): Max retries exceeded"
        ),
    )
    with pytest.raises(TransportError) as caught:
        refresh_access_token(oauth, "r1")
    assert "auth.internal" not in str(caught.value)
    assert "8443" not in str(caught.value)
    assert "did not answer" in str(caught.value)


def test_the_client_secret_never_shows_in_the_config_repr(oauth):
    assert "portal-demo-secret" not in repr(oauth)
