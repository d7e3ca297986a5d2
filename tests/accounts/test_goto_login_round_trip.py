"""The whole "Sign in with GoTo" round trip against the running sandbox, over real HTTP:
our button → the sandbox's authorize page → its sign-in form → back to our callback with
code and state → signed in, with the role GoTo's admin probe implies and a working token."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.connections import client_for_user
from accounts.models import Role, User
from accounts.tokens import load_token
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "demo"


class _FormReader(HTMLParser):
    """The action and the input values of the first form of a page."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self._in_form = attrs.get("action") or "", True
        elif tag == "input" and self._in_form and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


@pytest.fixture
def browser(client):
    """The Django test client, seen by the sandbox as a browser on 127.0.0.1 (the sandbox only
    accepts loopback redirect URIs)."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return client


def start_sign_in(browser, sandbox, next_url: str | None = None) -> str:
    """POST our "Sign in with GoTo" form; the URL of GoTo's authorize page we are sent to."""
    login_page = browser.get(reverse("account_login"), {"next": next_url} if next_url else {})
    assert b"Sign in with GoTo" in login_page.content
    data = {"next": next_url} if next_url else {}
    response = browser.post(reverse("goto_login"), data)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{sandbox.base_url}/oauth/authorize?")
    return location


def sign_in_at_goto(authorize_url: str, email: str) -> str:
    """Fill in the sandbox's sign-in page like a person would; where it redirects to."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    form = _FormReader()
    form.feed(page.text)
    assert form.action is not None
    answer = requests.post(
        urljoin(authorize_url, form.action),
        data={**form.fields, "email": email, "password": DEMO_PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def come_back(browser, callback_url: str):
    back = urlsplit(callback_url)
    assert back.path == reverse("goto_callback")
    return browser.get(f"{back.path}?{back.query}")


def round_trip(browser, sandbox, email: str, next_url: str | None = None):
    return come_back(browser, sign_in_at_goto(start_sign_in(browser, sandbox, next_url), email))


def test_authorize_request_carries_state_and_pkce(browser, sandbox_settings, sandbox):
    query = parse_qs(urlsplit(start_sign_in(browser, sandbox)).query)
    assert query["client_id"] == ["portal-demo"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://127.0.0.1/accounts/goto/login/callback/"]
    assert query["state"][0]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43


def test_goto_account_admin_signs_in_as_admin(browser, sandbox_settings, sandbox):
    response = round_trip(browser, sandbox, "admin@acme.example")
    assert response.status_code == 302
    user = User.objects.get(email="admin@acme.example")
    assert response.wsgi_request.user == user
    assert user.role == Role.ADMIN
    assert user.organizer_key and user.account_key
    # The stored token works against GoTo (the sandbox), as an admin.
    with client_for_user(user) as goto:
        assert goto.get_groups()
    assert browser.get(reverse("accounts:roles")).status_code == 200


def test_other_goto_user_signs_in_as_organizer(browser, sandbox_settings, sandbox):
    response = round_trip(browser, sandbox, "organizer@acme.example")
    assert response.status_code == 302
    user = User.objects.get(email="organizer@acme.example")
    assert response.wsgi_request.user == user
    assert user.role == Role.ORGANIZER
    assert load_token(user)["access_token"]
    assert browser.get(reverse("accounts:roles")).status_code == 403


def test_demo_manager_row_is_connected_and_keeps_its_role(browser, sandbox_settings, sandbox):
    from django.core.management import call_command

    call_command("demo_setup")
    round_trip(browser, sandbox, "manager@acme.example")
    assert User.objects.filter(email__iexact="manager@acme.example").count() == 1
    manager = User.objects.get(email="manager@acme.example")
    assert manager.role == Role.MANAGER
    assert manager.organizer_key is not None


def test_sign_in_returns_to_the_page_asked_for(browser, sandbox_settings, sandbox):
    response = round_trip(browser, sandbox, "admin@acme.example", next_url="/portal/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/audit/"


def test_callback_with_a_wrong_state_is_refused(browser, sandbox_settings, sandbox):
    callback = sign_in_at_goto(start_sign_in(browser, sandbox), "admin@acme.example")
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "not-the-state-we-sent"
    response = browser.get(f"{parts.path}?{urlencode(query)}")
    assert response.status_code == 401
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="admin@acme.example").exists()


def test_callback_cannot_be_replayed(browser, sandbox_settings, sandbox):
    callback = sign_in_at_goto(start_sign_in(browser, sandbox), "organizer@acme.example")
    assert come_back(browser, callback).status_code == 302
    browser.post(reverse("account_logout"))
    replay = come_back(browser, callback)
    assert replay.status_code == 401
    assert not replay.wsgi_request.user.is_authenticated


def test_expired_access_token_is_refreshed_and_stored(browser, sandbox_settings, sandbox, settings):
    settings.ROOT_URLCONF = "tests.accounts.goto_probe_urls"
    round_trip(browser, sandbox, "admin@acme.example")
    user = User.objects.get(email="admin@acme.example")
    before = load_token(user)
    sandbox.faults(expire_tokens=True)
    response = browser.get("/test-only/goto-groups/")
    assert response.status_code == 200
    after = load_token(user)
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]  # the sandbox rotates them


def test_revoked_goto_session_signs_the_user_out_cleanly(
    browser, sandbox_settings, sandbox, settings
):
    settings.ROOT_URLCONF = "tests.accounts.goto_probe_urls"
    round_trip(browser, sandbox, "admin@acme.example")
    user = User.objects.get(email="admin@acme.example")
    # GoTo revokes the session: the access token stops working and the refresh token is spent.
    stolen = load_token(user)["refresh_token"]
    spent = requests.post(
        f"{sandbox.base_url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": stolen},
        auth=("portal-demo", "portal-demo-secret"),
        timeout=10,
    )
    assert spent.status_code == 200
    sandbox.faults(expire_tokens=True)

    response = browser.get("/test-only/goto-groups/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert SIGN_IN_ENDED_MESSAGE in [str(m) for m in get_messages(response.wsgi_request)]
    assert browser.get(reverse("accounts:roles")).status_code == 302
    # Signing in again works and gives a fresh token.
    sandbox.faults(expire_tokens=False)
    assert round_trip(browser, sandbox, "admin@acme.example").wsgi_request.user == user


def test_sign_in_goes_through_brief_goto_errors_during_the_admin_check(
    browser, sandbox_settings, sandbox
):
    # The issue: with GoTo failing half its calls, 6 of 8 sign-ins failed at the admin check.
    sandbox.faults(fail_next=[503, 502, 429])
    response = round_trip(browser, sandbox, "admin@acme.example")
    assert response.status_code == 302
    user = User.objects.get(email="admin@acme.example")
    assert response.wsgi_request.user == user
    assert user.role == Role.ADMIN
    assert sandbox.stats()["routes"]["GET /G2M/rest/groups"] == 4  # three failures, then 200


def test_sign_in_while_goto_stays_unavailable_says_so_not_that_the_link_was_stale(
    browser, sandbox_settings, sandbox, settings
):
    settings.GOTO_INTERACTIVE_DEADLINE_SECONDS = 2.0
    sandbox.faults(error_rate=1.0)
    response = round_trip(browser, sandbox, "admin@acme.example")
    assert response.status_code == 401
    page = response.content.decode().split("<footer")[0]  # the footer names the sandbox
    assert "GoTo was busy or unavailable while the portal checked your account" in page
    assert "stale" not in page
    assert "127.0.0.1" not in page and str(sandbox.port) not in page
    assert not response.wsgi_request.user.is_authenticated
    assert not User.objects.filter(email="admin@acme.example").exists()
    # Once GoTo is back, signing in again works.
    sandbox.faults(error_rate=0)
    assert round_trip(browser, sandbox, "admin@acme.example").status_code == 302
