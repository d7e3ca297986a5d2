"""What a GoTo sign-in does to the portal user: role on first and later sign-ins, keys from the
token answer, connection to pre-created rows, the stored token, and refusals.

GoTo's token endpoint and the admin probe are answered by ``responses`` here (exact answers,
errors included); tests/accounts/test_goto_login_round_trip.py drives the real sandbox.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.models import AuditEntry, Role, User
from accounts.tokens import load_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUTH = "https://auth.goto.test"
API = "https://api.goto.test/G2M/rest"


@pytest.fixture
def goto_settings(settings):
    settings.GOTO_AUTHORIZE_URL = f"{AUTH}/oauth/authorize"
    settings.GOTO_TOKEN_URL = f"{AUTH}/oauth/token"
    settings.GOTO_API_BASE_URL = API
    return settings


def _answer(email, organizer_key, account_key=7700, first="Pat", last="Doe", **extra):
    return {
        "access_token": f"access-{organizer_key}",
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": f"refresh-{organizer_key}",
        "organizer_key": organizer_key,
        "account_key": account_key,
        "account_type": "corporate",
        "firstName": first,
        "lastName": last,
        "email": email,
        "principal": email,
        "version": "3",
        **extra,
    }


def sign_in(client, answer: dict, *, probe_status: int = 200):
    """Run the sign-in: POST the button, then come back to the callback as GoTo would."""
    start = client.post(reverse("goto_login"))
    assert start.status_code == 302, start.content
    query = parse_qs(urlsplit(start["Location"]).query)
    with responses.RequestsMock() as mock:
        token_call = mock.post(f"{AUTH}/oauth/token", json=answer)
        mock.get(f"{API}/groups", json=[] if probe_status == 200 else {}, status=probe_status)
        response = client.get(
            reverse("goto_callback"), {"code": "the-code", "state": query["state"][0]}
        )
    return start, token_call, response


def test_first_sign_in_of_a_goto_admin_makes_an_admin(client, goto_settings):
    _, _, response = sign_in(client, _answer("pat@acme.example", 501), probe_status=200)
    assert response.status_code == 302
    user = User.objects.get(email="pat@acme.example")
    assert user.role == Role.ADMIN
    assert (user.organizer_key, user.account_key) == (501, 7700)
    assert (user.first_name, user.last_name) == ("Pat", "Doe")
    assert response.wsgi_request.user == user


def test_first_sign_in_of_anyone_else_makes_an_organizer(client, goto_settings):
    sign_in(client, _answer("sam@acme.example", 502), probe_status=403)
    assert User.objects.get(email="sam@acme.example").role == Role.ORGANIZER


def test_later_sign_in_keeps_a_portal_granted_role(client, goto_settings):
    sign_in(client, _answer("sam@acme.example", 502), probe_status=403)
    User.objects.filter(email="sam@acme.example").update(role=Role.MANAGER)
    client.logout()
    sign_in(client, _answer("sam@acme.example", 502), probe_status=403)
    assert User.objects.get(email="sam@acme.example").role == Role.MANAGER
    assert User.objects.filter(email="sam@acme.example").count() == 1


def test_later_sign_in_promotes_a_new_goto_admin(client, goto_settings):
    sign_in(client, _answer("sam@acme.example", 502), probe_status=403)
    client.logout()
    sign_in(client, _answer("sam@acme.example", 502), probe_status=200)
    user = User.objects.get(email="sam@acme.example")
    assert user.role == Role.ADMIN
    promotion = AuditEntry.objects.get(action="role.change")
    assert promotion.actor_label == "system"
    assert "organizer → admin" in promotion.detail


def test_pre_created_user_is_connected_not_duplicated(client, goto_settings):
    manager = UserFactory(email="Manager@Acme.example", role=Role.MANAGER)
    sign_in(client, _answer("manager@acme.example", 503), probe_status=403)
    assert User.objects.filter(email__iexact="manager@acme.example").count() == 1
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER  # not demoted by a first GoTo sign-in
    assert manager.organizer_key == 503
    assert SocialAccount.objects.get(provider="goto").user == manager


def test_tokens_are_stored_and_not_kept_in_allauths_tables(client, goto_settings):
    sign_in(client, _answer("pat@acme.example", 501))
    user = User.objects.get(email="pat@acme.example")
    token = load_token(user)
    assert token["access_token"] == "access-501"
    assert token["refresh_token"] == "refresh-501"
    assert 3500 < token["expires_in"] <= 3600
    extra = SocialAccount.objects.get(user=user).extra_data
    assert "access_token" not in extra and "refresh_token" not in extra
    assert extra["goto_account_admin"] is True


def test_token_call_uses_basic_auth_and_pkce(client, goto_settings):
    start, token_call, _ = sign_in(client, _answer("pat@acme.example", 501))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [goto_settings.GOTO_CLIENT_ID]
    request = token_call.calls[0].request
    expected = base64.b64encode(
        f"{goto_settings.GOTO_CLIENT_ID}:{goto_settings.GOTO_CLIENT_SECRET}".encode()
    ).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    body = parse_qs(request.body)
    assert "client_secret" not in body
    verifier = body["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert query["code_challenge"] == [challenge.decode()]


def test_sign_in_is_audit_logged(client, goto_settings):
    sign_in(client, _answer("pat@acme.example", 501))
    entry = AuditEntry.objects.get(action="user.sign_in")
    assert entry.actor.email == "pat@acme.example"
    assert "First sign-in" in entry.detail


def test_user_with_revoked_access_cannot_sign_in(client, goto_settings):
    UserFactory(email="gone@acme.example", portal_access=False)
    _, _, response = sign_in(client, _answer("gone@acme.example", 504), probe_status=403)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert not response.wsgi_request.user.is_authenticated
    assert load_token(User.objects.get(email="gone@acme.example")) is None


def test_user_of_another_goto_account_is_refused(client, goto_settings):
    UserFactory(email="boss@acme.example", role=Role.ADMIN, account_key=7700)
    _, _, response = sign_in(
        client, _answer("eve@evil.example", 666, account_key=6666), probe_status=200
    )
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="eve@evil.example").exists()
    follow = client.get(response["Location"])
    assert b"another GoTo account" in follow.content


def test_configured_account_key_is_enforced(client, goto_settings):
    goto_settings.GOTO_ACCOUNT_KEY = 1234
    sign_in(client, _answer("pat@acme.example", 501, account_key=7700))
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_failing_admin_probe_shows_a_sign_in_error_not_a_500(client, goto_settings):
    _, _, response = sign_in(client, _answer("pat@acme.example", 501), probe_status=500)
    assert response.status_code == 401
    assert b"Sign-in with GoTo failed" in response.content
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_a_token_refused_at_the_admin_check_is_not_refreshed_and_the_page_says_so(
    client, goto_settings
):
    start = client.post(reverse("goto_login"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    with responses.RequestsMock() as mock:
        token_call = mock.post(f"{AUTH}/oauth/token", json=_answer("pat@acme.example", 501))
        mock.get(
            f"{API}/groups",
            json={"int_err_code": "InvalidToken", "msg": "Invalid token passed"},
            status=403,
        )
        response = client.get(reverse("goto_callback"), {"code": "the-code", "state": state})
    assert token_call.call_count == 1  # no refresh: it would rotate the token about to be kept
    assert response.status_code == 401
    assert b"GoTo did not accept the sign-in it had just granted" in response.content
    assert b"stale" not in response.content
    assert not User.objects.filter(email="pat@acme.example").exists()


def test_refused_token_exchange_shows_a_sign_in_error(client, goto_settings):
    start = client.post(reverse("goto_login"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    with responses.RequestsMock() as mock:
        mock.post(
            f"{AUTH}/oauth/token",
            json={"error": "invalid_grant", "error_description": "bad code"},
            status=400,
        )
        response = client.get(reverse("goto_callback"), {"code": "stale", "state": state})
    assert response.status_code == 401
    assert not response.wsgi_request.user.is_authenticated


def test_callback_with_a_wrong_state_is_refused_without_calling_goto(client, goto_settings):
    client.post(reverse("goto_login"))
    with responses.RequestsMock():  # any HTTP call would fail the test
        response = client.get(reverse("goto_callback"), {"code": "c", "state": "forged"})
    assert response.status_code == 401
    assert not response.wsgi_request.user.is_authenticated
