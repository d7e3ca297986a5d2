"""The profile page: every role sees it (linked from the navigation); Managers and Admins
subscribe to a digest of their own scope there, audit-logged, and preview it in the browser;
a group outside their scope or bad input is a form error that changes nothing; Organizers
see no digest form and cannot post one."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from digests.models import DigestSubscription
from tests.digests.conftest import subscribe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["admin", "manager", "organizer"])
def test_every_role_finds_the_profile_page_in_the_navigation(client_for, role, request):
    user = request.getfixturevalue(f"{role}_user")
    page = client_for(user).get("/portal/profile/")
    assert page.status_code == 200
    assert b'href="/portal/profile/"' in page.content
    assert user.email.encode() in page.content
    has_form = b'name="frequency"' in page.content
    assert has_form == (role != "organizer")
    tokens = client_for(user).get("/portal/profile/tokens/")
    assert tokens.status_code == 200
    # every role manages its API tokens from here
    assert b'href="/portal/profile/tokens/"' in page.content


def test_a_manager_subscribes_weekly_in_their_zone_and_it_is_audit_logged(client_for, account):
    client = client_for(account.manager)

    response = client.post(
        "/portal/profile/",
        {"action": "subscribe", "frequency": "weekly", "timezone": "Asia/Tokyo", "group": ""},
        follow=True,
    )

    assert b"Subscribed to the weekly digest." in response.content
    assert b"You receive the <strong>weekly</strong> digest" in response.content
    subscription = DigestSubscription.objects.get(user=account.manager)
    assert (subscription.frequency, subscription.timezone, subscription.group) == (
        "weekly",
        "Asia/Tokyo",
        None,
    )
    entry = AuditEntry.objects.get(action="digest.subscribe")
    assert entry.actor == account.manager and "Asia/Tokyo" in entry.detail


def test_a_manager_cannot_pick_a_group_outside_their_scope(client_for, account):
    client = client_for(account.manager)  # Sales only

    response = client.post(
        "/portal/profile/",
        {
            "action": "subscribe",
            "frequency": "weekly",
            "timezone": "UTC",
            "group": account.support.pk,
        },
    )

    assert response.status_code == 400
    assert b"Choose one of your own groups: that one is not." in response.content
    assert b"Support" not in response.content.split(b'name="group"')[1].split(b"</select>")[0]
    assert not DigestSubscription.objects.exists()
    assert not AuditEntry.objects.filter(action="digest.subscribe").exists()


def test_an_admin_may_narrow_the_digest_to_a_group(client_for, account):
    client = client_for(account.admin)

    client.post(
        "/portal/profile/",
        {
            "action": "subscribe",
            "frequency": "monthly",
            "timezone": "UTC",
            "group": account.support.pk,
        },
    )

    subscription = DigestSubscription.objects.get(user=account.admin)
    assert (subscription.frequency, subscription.group) == ("monthly", account.support)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"frequency": "daily", "timezone": "UTC"}, b"Select a valid choice"),
        ({"frequency": "weekly", "timezone": "Mars/Olympus"}, b"Select a valid choice"),
        ({"timezone": "UTC"}, b"This field is required"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(client_for, account, data, field):
    subscription = subscribe(account.manager, tz="Europe/Paris")

    response = client_for(account.manager).post("/portal/profile/", {"action": "subscribe", **data})

    assert response.status_code == 400 and field in response.content
    subscription.refresh_from_db()
    assert (subscription.frequency, subscription.timezone) == ("weekly", "Europe/Paris")
    assert AuditEntry.objects.filter(action="digest.subscribe").count() == 1


def test_a_manager_of_no_group_cannot_subscribe(client_for, manager_user):
    response = client_for(manager_user).post(
        "/portal/profile/", {"action": "subscribe", "frequency": "weekly", "timezone": "UTC"}
    )
    assert response.status_code == 400
    assert b"a digest would be empty" in response.content
    assert not DigestSubscription.objects.exists()


def test_an_organizer_cannot_subscribe(client_for, organizer_user):
    response = client_for(organizer_user).post(
        "/portal/profile/", {"action": "subscribe", "frequency": "weekly", "timezone": "UTC"}
    )
    assert response.status_code == 403
    assert not DigestSubscription.objects.exists()


def test_unsubscribing_on_the_profile_page_is_audit_logged(client_for, account):
    subscribe(account.manager)

    response = client_for(account.manager).post(
        "/portal/profile/", {"action": "unsubscribe"}, follow=True
    )

    assert b"You are unsubscribed" in response.content
    assert b"You are not subscribed." in response.content
    assert not DigestSubscription.objects.get(user=account.manager).active
    assert AuditEntry.objects.get(action="digest.unsubscribe").detail == "via profile page"


def test_preview_renders_the_digest_with_its_chart_inline(client_for, account):
    subscribe(account.manager)

    response = client_for(account.manager).get("/digests/preview/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/png;base64,iVBORw0KGgo' in html  # a PNG's signature, in base64
    assert "Key figures" in html and "Alice Archer" in html and "Olga" not in html
    assert "'unsafe-inline'" in response["Content-Security-Policy"].split("style-src")[1]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_preview_of_a_group_outside_the_managers_scope_is_refused(client_for, account):
    response = client_for(account.manager).get(
        "/digests/preview/", {"frequency": "weekly", "timezone": "UTC", "group": account.support.pk}
    )
    assert response.status_code == 400
    assert b"Olga" not in response.content
