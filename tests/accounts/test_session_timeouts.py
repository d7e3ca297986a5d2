"""Sessions end after the idle timeout and after their absolute lifetime, with a message, and a
user whose portal access is revoked loses every session at once."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.services import user_access_update, user_sessions_end

pytestmark = pytest.mark.django_db

PAGE = "accounts:roles"


def _stamp(client, *, signed_in_ago: int, seen_ago: int) -> None:
    now = int(time.time())
    session = client.session
    session[SIGNED_IN_AT_KEY] = now - signed_in_ago
    session[LAST_SEEN_KEY] = now - seen_ago
    session.save()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _signed_out_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in response.wsgi_request.session


def test_active_session_keeps_working(client_for, admin_user, settings):
    client = client_for(admin_user)
    _stamp(client, signed_in_ago=60, seen_ago=settings.SESSION_IDLE_SECONDS - 60)
    assert client.get(reverse(PAGE)).status_code == 200
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_idle_session_is_signed_out_with_a_message(client_for, admin_user, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client = client_for(admin_user)
    _stamp(client, signed_in_ago=2 * 3600, seen_ago=30 * 60 + 1)
    response = client.get(reverse(PAGE))
    _signed_out_to_login(response)
    assert "next=" in response["Location"]
    assert any("30 minutes without activity" in m for m in _messages(response))
    # The old session is gone for good: the next request is anonymous.
    assert client.get(reverse(PAGE)).status_code == 302


def test_session_past_its_lifetime_is_signed_out_even_when_active(client_for, admin_user, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    client = client_for(admin_user)
    _stamp(client, signed_in_ago=12 * 3600 + 1, seen_ago=1)
    response = client.get(reverse(PAGE))
    _signed_out_to_login(response)
    assert any("maximum length of 12 hours" in m for m in _messages(response))


def test_htmx_background_requests_do_not_keep_a_session_alive(client_for, admin_user):
    client = client_for(admin_user)
    _stamp(client, signed_in_ago=600, seen_ago=300)
    before = client.session[LAST_SEEN_KEY]
    client.get(reverse(PAGE), headers={"HX-Request": "true"})
    assert client.session[LAST_SEEN_KEY] == before
    client.get(reverse(PAGE))
    assert client.session[LAST_SEEN_KEY] > before


def test_expired_htmx_request_is_told_to_go_to_the_login_page(client_for, admin_user, settings):
    client = client_for(admin_user)
    _stamp(client, signed_in_ago=60, seen_ago=settings.SESSION_IDLE_SECONDS + 1)
    response = client.get(reverse(PAGE), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("account_login")


def test_first_request_after_sign_in_starts_the_clocks(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse(PAGE)).status_code == 200
    session = client.session
    assert abs(session[SIGNED_IN_AT_KEY] - int(time.time())) <= 5
    assert session[LAST_SEEN_KEY] == session[SIGNED_IN_AT_KEY]


def _user_session_count(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_revoking_access_deletes_all_of_the_users_sessions(admin_user, organizer_user):
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(organizer_user)
    other = Client()
    other.force_login(admin_user)
    assert _user_session_count(organizer_user) == 2

    user_access_update(
        user=organizer_user, role="organizer", portal_access=False, acting_user=admin_user
    )

    assert _user_session_count(organizer_user) == 0
    assert _user_session_count(admin_user) == 1
    for browser in browsers:
        response = browser.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_revoked_user_is_signed_out_on_the_next_request_even_if_a_session_survives(
    client_for, organizer_user
):
    client = client_for(organizer_user)
    type(organizer_user).objects.filter(pk=organizer_user.pk).update(portal_access=False)
    response = client.get("/")
    _signed_out_to_login(response)
    assert any("access to the portal has been revoked" in m for m in _messages(response))


def test_user_sessions_end_counts_only_that_users_sessions(admin_user, organizer_user):
    Client().force_login(organizer_user)
    Client().force_login(admin_user)
    assert user_sessions_end(user=organizer_user) == 1
    assert user_sessions_end(user=organizer_user) == 0


def test_admin_revoking_their_own_access_is_signed_out_cleanly(client_for, admin_user):
    from tests.factories import UserFactory

    UserFactory(email="second.admin@acme.example", role="admin")
    client = client_for(admin_user)
    response = client.post(
        reverse("accounts:role_update", kwargs={"pk": admin_user.pk}),
        {f"user-{admin_user.pk}-role": "admin"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert client.get(reverse(PAGE)).status_code == 302


def test_sign_out_is_a_post(client_for, organizer_user):
    client = client_for(organizer_user)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
