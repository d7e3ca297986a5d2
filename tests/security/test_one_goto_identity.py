"""One portal user is exactly one GoTo identity. allauth's "connect another account" let a
signed-in organizer link someone else's GoTo login (Maya's): after Maya signed in, the
organizer's portal user carried Maya's organizer key and token, and what they did in the portal
happened as Maya at GoTo. Against the sandbox over real HTTP, as the login round trip test."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import AuditEntry, AuditOutcome, StoredToken, User
from accounts.services import CONNECT_REFUSED_MESSAGE, IDENTITY_MISMATCH_MESSAGE
from accounts.tokens import load_token
from tests.accounts.test_goto_login_round_trip import (
    come_back,
    round_trip,
    sign_in_at_goto,
)

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_connections_page_is_gone(browser, sandbox_settings, sandbox):
    round_trip(browser, sandbox, "organizer@acme.example")
    assert browser.get("/accounts/3rdparty/").status_code == 404


def test_linking_a_second_goto_login_is_refused(browser, sandbox_settings, sandbox):
    round_trip(browser, sandbox, "organizer@acme.example")
    organizer = User.objects.get(email="organizer@acme.example")
    key, token = organizer.organizer_key, load_token(organizer)["access_token"]

    start = browser.post(reverse("goto_login"), {"process": "connect"})
    assert start.status_code == 302
    back = come_back(browser, sign_in_at_goto(start["Location"], "manager@acme.example"))

    assert back.status_code == 302
    assert CONNECT_REFUSED_MESSAGE in _messages(back)
    organizer.refresh_from_db()
    assert organizer.organizer_key == key
    assert load_token(organizer)["access_token"] == token
    assert organizer.socialaccount_set.count() == 1
    refused = AuditEntry.objects.get(action="user.connect")
    assert refused.outcome == AuditOutcome.FAILURE and refused.actor == organizer
    # The other GoTo user signs in as themselves, not as the organizer.
    browser.post(reverse("account_logout"))
    other = round_trip(browser, sandbox, "manager@acme.example")
    assert other.wsgi_request.user.email == "manager@acme.example"
    assert other.wsgi_request.user != organizer


def test_a_sign_in_as_another_goto_user_than_on_record_is_refused(
    browser, sandbox_settings, sandbox
):
    round_trip(browser, sandbox, "organizer@acme.example")
    organizer = User.objects.get(email="organizer@acme.example")
    browser.post(reverse("account_logout"))
    # The row's GoTo identity on record is another user (as after a link, or an email reused
    # by another GoTo user): the GoTo sign-in that matches it by email is refused.
    User.objects.filter(pk=organizer.pk).update(organizer_key=123456789)
    organizer.socialaccount_set.all().delete()

    refused = round_trip(browser, sandbox, "organizer@acme.example")

    assert refused.status_code == 302
    assert not refused.wsgi_request.user.is_authenticated
    assert IDENTITY_MISMATCH_MESSAGE in _messages(refused)
    organizer.refresh_from_db()
    assert organizer.organizer_key == 123456789  # nothing was rewritten


def test_a_token_of_another_identity_is_never_used(browser, sandbox_settings, sandbox):
    round_trip(browser, sandbox, "organizer@acme.example")
    organizer = User.objects.get(email="organizer@acme.example")
    assert load_token(organizer) is not None
    StoredToken.objects.filter(user=organizer).update(organizer_key=987654321)
    assert load_token(organizer) is None  # they must sign in again
