"""OAuth: the sign-in page, authorization code (with PKCE), refresh rotation, password
grants and the legacy Direct Login endpoint."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from sandbox.demo_account import ACCOUNT_KEY, CLIENT_ID, CLIENT_SECRET, DEMO_USERS
from sandbox.testing import SandboxHandle

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
REDIRECT = "http://127.0.0.1:8000/accounts/goto/login/callback/"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
TOKEN_FIELDS = {
    "access_token",
    "token_type",
    "expires_in",
    "refresh_token",
    "organizer_key",
    "account_key",
    "account_type",
    "firstName",
    "lastName",
    "email",
    "principal",
    "version",
}


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz-123",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v}


def sign_in(sandbox: SandboxHandle, email: str, password: str = "demo", **params: str):
    form = {**authorize_params(**params), "email": email, "password": password}
    return sandbox.request("POST", "/oauth/authorize", form=form)


def code_from(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(sandbox: SandboxHandle, code: str, **extra: str):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra}
    return sandbox.request("POST", "/oauth/token", form=form, headers={"Authorization": BASIC})


def pkce_pair() -> tuple[str, str]:
    verifier = "a-verifier-of-at-least-43-characters-0123456789abcdef"
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def test_authorize_shows_a_sign_in_page_carrying_the_request(shared_sandbox):
    verifier, challenge = pkce_pair()
    params = authorize_params(code_challenge=challenge, code_challenge_method="S256")
    page = shared_sandbox.request("GET", "/oauth/authorize?" + urlencode(params))
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert re.search(r'<input type="email"[^>]*name="email"', html)
    assert re.search(r'<input type="password"[^>]*name="password"', html)
    assert re.search(r"<button[^>]*>Sign in</button>", html)
    for name, value in params.items():
        assert f'name="{name}" value="{value}"' in html
    for user in DEMO_USERS:
        assert user.email in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_id": "someone-else"},
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": "http://127.0.0.1.evil.example/cb"},
        {"response_type": "token"},
        {"code_challenge": "abc", "code_challenge_method": "plain"},
    ],
)
def test_authorize_refuses_unknown_clients_and_foreign_redirects(shared_sandbox, overrides):
    page = shared_sandbox.request(
        "GET", "/oauth/authorize?" + urlencode(authorize_params(**overrides))
    )
    assert page.status == 400
    assert "text/html" in page.headers["Content-Type"]


def test_localhost_redirects_are_accepted(shared_sandbox):
    result = sign_in(shared_sandbox, MANAGER.email, redirect_uri="http://localhost:9000/cb?x=1")
    assert result.status == 302
    assert result.headers["Location"].startswith("http://localhost:9000/cb?x=1&code=")


def test_a_wrong_password_shows_the_page_again_with_an_error(shared_sandbox):
    result = sign_in(shared_sandbox, MANAGER.email, password="wrong")
    assert result.status in (200, 401)
    assert "Location" not in result.headers
    assert "Incorrect email or password" in result.text
    assert f'value="{MANAGER.email}"' in result.text
    unknown = sign_in(shared_sandbox, "nobody@acme.example")
    assert "Incorrect email or password" in unknown.text


def test_code_flow_echoes_state_and_returns_every_token_field(shared_sandbox):
    result = sign_in(shared_sandbox, MANAGER.email)
    assert result.status == 302
    query = code_from(result.headers["Location"])
    assert query["state"] == "xyz-123"
    assert result.headers["Location"].startswith(REDIRECT + "?")
    answer = exchange(shared_sandbox, query["code"])
    assert answer.status == 200
    body = answer.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["organizer_key"] == str(MANAGER.key)
    assert body["account_key"] == str(ACCOUNT_KEY)
    assert body["account_type"] == "corporate"
    assert body["email"] == body["principal"] == MANAGER.email
    assert (body["firstName"], body["lastName"]) == (MANAGER.first_name, MANAGER.last_name)
    assert answer.headers["Cache-Control"] == "no-store"
    api = shared_sandbox.api("GET", "/upcomingMeetings", token=body["access_token"])
    assert api.status == 200


def test_a_code_works_once(shared_sandbox):
    code = code_from(sign_in(shared_sandbox, MANAGER.email).headers["Location"])["code"]
    assert exchange(shared_sandbox, code).status == 200
    again = exchange(shared_sandbox, code)
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.json()["error_description"]


def test_the_redirect_uri_must_match_the_authorize_one(shared_sandbox):
    code = code_from(sign_in(shared_sandbox, MANAGER.email).headers["Location"])["code"]
    answer = exchange(shared_sandbox, code, redirect_uri="http://127.0.0.1:8000/other/")
    assert answer.status == 400
    assert answer.json()["error"] == "invalid_grant"


def test_pkce_needs_the_right_verifier(shared_sandbox):
    verifier, challenge = pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = code_from(sign_in(shared_sandbox, MANAGER.email, **pkce).headers["Location"])["code"]
    wrong = exchange(shared_sandbox, code, code_verifier=verifier + "x")
    assert wrong.status == 400
    assert wrong.json()["error"] == "invalid_grant"
    missing_code = code_from(sign_in(shared_sandbox, MANAGER.email, **pkce).headers["Location"])[
        "code"
    ]
    assert exchange(shared_sandbox, missing_code).status == 400
    code = code_from(sign_in(shared_sandbox, MANAGER.email, **pkce).headers["Location"])["code"]
    right = exchange(shared_sandbox, code, code_verifier=verifier)
    assert right.status == 200
    assert right.json()["organizer_key"] == str(MANAGER.key)


def test_client_credentials_in_the_form_body_are_accepted(shared_sandbox):
    code = code_from(sign_in(shared_sandbox, MANAGER.email).headers["Location"])["code"]
    answer = shared_sandbox.request(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert answer.status == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic " + base64.b64encode(b"portal-demo:wrong").decode()},
        {"Authorization": "Basic !!!"},
    ],
)
def test_bad_client_credentials_get_401_invalid_client(shared_sandbox, headers):
    answer = shared_sandbox.request(
        "POST",
        "/oauth/token",
        headers=headers,
        form={"grant_type": "password", "username": MANAGER.email, "password": "demo"},
    )
    assert answer.status == 401
    assert answer.json()["error"] == "invalid_client"


def test_refresh_rotates_the_refresh_token(shared_sandbox):
    first = shared_sandbox.token_for(MANAGER.email)

    def refresh(token: str):
        return shared_sandbox.request(
            "POST",
            "/oauth/token",
            headers={"Authorization": BASIC},
            form={"grant_type": "refresh_token", "refresh_token": token},
        )

    second = refresh(first["refresh_token"])
    assert second.status == 200
    body = second.json()
    assert set(body) == TOKEN_FIELDS
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    reused = refresh(first["refresh_token"])
    assert reused.status == 400
    assert reused.json()["error"] == "invalid_grant"
    assert refresh(body["refresh_token"]).status == 200
    old_access = shared_sandbox.api("GET", "/upcomingMeetings", token=first["access_token"])
    assert old_access.status == 200, "the old access token stays valid until it expires"


def test_password_grant_on_the_token_endpoint(shared_sandbox):
    form = {"grant_type": "password", "username": ADMIN.email, "password": "demo"}
    answer = shared_sandbox.request(
        "POST", "/oauth/token", form=form, headers={"Authorization": BASIC}
    )
    assert answer.status == 200
    assert answer.json()["organizer_key"] == str(ADMIN.key)
    wrong = shared_sandbox.request(
        "POST", "/oauth/token", headers={"Authorization": BASIC}, form={**form, "password": "nope"}
    )
    assert wrong.status == 400
    assert wrong.json()["error"] == "invalid_grant"


def test_unsupported_grant_type(shared_sandbox):
    answer = shared_sandbox.request(
        "POST",
        "/oauth/token",
        headers={"Authorization": BASIC},
        form={"grant_type": "client_credentials"},
    )
    assert answer.status == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_legacy_direct_login_by_get_and_post_sends_expires_in_as_a_string(shared_sandbox):
    params = {
        "grant_type": "password",
        "user_id": ORGANIZER.email,
        "password": "demo",
        "client_id": CLIENT_ID,
    }
    by_get = shared_sandbox.request("GET", "/oauth/access_token?" + urlencode(params))
    by_post = shared_sandbox.request("POST", "/oauth/access_token", form=params)
    for answer in (by_get, by_post):
        assert answer.status == 200
        body = answer.json()
        assert set(body) == TOKEN_FIELDS
        assert body["expires_in"] == "3600"
        assert body["organizer_key"] == str(ORGANIZER.key)
    bad = shared_sandbox.request(
        "GET", "/oauth/access_token?" + urlencode({**params, "password": "nope"})
    )
    assert bad.status == 400
    assert bad.json()["error"] == "invalid_grant"
    unknown_client = shared_sandbox.request(
        "GET", "/oauth/access_token?" + urlencode({**params, "client_id": "other"})
    )
    assert unknown_client.status == 401


def test_a_suspended_organizer_cannot_sign_in(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    fresh_sandbox.api(
        "PUT", f"/organizers/{ORGANIZER.key}", token=admin, json_body={"status": "suspended"}
    )
    page = sign_in(fresh_sandbox, ORGANIZER.email)
    assert page.status in (200, 401) and "Location" not in page.headers
    answer = fresh_sandbox.request(
        "POST",
        "/oauth/token",
        headers={"Authorization": BASIC},
        form={"grant_type": "password", "username": ORGANIZER.email, "password": "demo"},
    )
    assert answer.status == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_confirmed_generated_organizer_signs_in_with_the_demo_password(shared_sandbox):
    generated = next(
        o
        for o in shared_sandbox.state()["organizers"]
        if o["organizerKey"]
        and o["status"] == "active"
        and not o["admin"]
        and o["email"] not in {u.email for u in DEMO_USERS}
    )
    result = sign_in(shared_sandbox, generated["email"])
    assert result.status == 302
