"""Re-checking a pending organizer asks GoTo by email and updates the cache from the answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from organizers import services
from organizers.models import Group, Organizer

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(sandbox, admin_api, admin_user, cached):
    return services.organizer_invite(
        client=admin_api,
        email="fresh@acme.example",
        first_name="Fresh",
        last_name="Face",
        group=Group.objects.get(name="Sales"),
        product_type="G2W",
        acting_user=admin_user,
    )


def test_recheck_while_still_pending_changes_nothing_but_the_freshness(
    admin_api, admin_user, invited
):
    before = invited.synced_at
    organizer = services.organizer_recheck(
        client=admin_api, organizer=invited, acting_user=admin_user
    )
    assert organizer.is_pending
    assert organizer.synced_at > before
    entry = AuditEntry.objects.filter(action="organizer.recheck").get()
    assert entry.outcome == "success" and entry.detail == "Unchanged: still pending confirmation."


def test_recheck_after_confirmation_stores_key_status_and_products(
    sandbox, admin_api, admin_user, invited
):
    key = sandbox.confirm_organizer("fresh@acme.example")
    services.organizer_recheck(client=admin_api, organizer=invited, acting_user=admin_user)
    invited.refresh_from_db()
    assert invited.organizer_key == key
    assert invited.status == "active"
    assert invited.product_list == ["G2M", "G2W"]
    assert (
        f"Changed: key {key}, active." == AuditEntry.objects.get(action="organizer.recheck").detail
    )


def test_recheck_of_an_organizer_gone_at_goto_is_a_404_message_and_changes_nothing(
    sandbox, admin_api, admin_user, invited
):
    admin_api.delete_organizer_by_email("fresh@acme.example")  # deleted elsewhere
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_recheck(client=admin_api, organizer=invited, acting_user=admin_user)
    assert "GoTo does not know it (404)" in caught.value.message
    fresh = Organizer.objects.get(pk=invited.pk)
    assert (fresh.organizer_key, fresh.deleted_at, fresh.synced_at) == (
        None,
        None,
        invited.synced_at,
    )
    assert AuditEntry.objects.get(action="organizer.recheck").outcome == "failure"


def test_recheck_rate_limited(sandbox, admin_api, admin_user, invited):
    sandbox.confirm_organizer("fresh@acme.example")
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_recheck(client=admin_api, organizer=invited, acting_user=admin_user)
    assert "(429)" in caught.value.message
    assert Organizer.objects.get(pk=invited.pk).is_pending


def test_recheck_page_post_updates_and_says_so(signed_in_admin, sandbox, invited):
    key = sandbox.confirm_organizer("fresh@acme.example")
    url = reverse("organizers:recheck", args=[invited.pk])
    confirm = signed_in_admin.get(url)
    assert "Ask GoTo for the current state of Fresh Face (fresh@acme.example)?" in (
        confirm.content.decode()
    )
    response = signed_in_admin.post(url, follow=True)
    assert f"confirmed, key {key}, active" in response.content.decode()
    assert Organizer.objects.get(pk=invited.pk).organizer_key == key


def test_recheck_row_in_place_with_htmx(signed_in_admin, sandbox, invited):
    sandbox.confirm_organizer("fresh@acme.example")
    response = signed_in_admin.post(
        reverse("organizers:recheck", args=[invited.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/organizers/?status=pending",
    )
    html = response.content.decode()
    assert html.startswith("<tr") and f'id="organizer-{invited.pk}"' in html
    assert "badge-active" in html and "Re-checked" in html
