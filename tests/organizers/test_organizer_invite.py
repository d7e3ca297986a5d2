"""Inviting an organizer: created at GoTo in the chosen group, cached as pending until it has a
key, audit-logged; an API error is a clear message and leaves the cache as it was."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from organizers import services
from organizers.models import Group, Organizer
from tests.organizers.conftest import sandbox_organizer

pytestmark = pytest.mark.django_db


def _invite(client, admin_user, group, email="new.hire@acme.example", product="G2M"):
    return services.organizer_invite(
        client=client,
        email=email,
        first_name="New",
        last_name="Hire",
        group=group,
        product_type=product,
        acting_user=admin_user,
    )


@pytest.fixture
def sales(cached):
    return Group.objects.get(name="Sales")


def test_invite_creates_a_pending_organizer_in_the_chosen_group(
    sandbox, admin_api, admin_user, sales
):
    organizer = _invite(admin_api, admin_user, sales)
    at_goto = sandbox_organizer(sandbox, "new.hire@acme.example")
    assert at_goto["groupKey"] == sales.group_key
    assert at_goto["organizerKey"] is None
    organizer.refresh_from_db()
    assert organizer.is_pending and organizer.group == sales
    assert (organizer.first_name, organizer.last_name, organizer.products) == ("New", "Hire", "G2M")
    entry = AuditEntry.objects.get(action="organizer.invite")
    assert (entry.outcome, entry.target_type, entry.target_id) == (
        "success",
        "organizer",
        str(organizer.pk),
    )
    assert "pending confirmation" in entry.detail


def test_webinar_organizers_get_meetings_too(sandbox, admin_api, admin_user, sales):
    organizer = _invite(admin_api, admin_user, sales, product="G2W")
    assert organizer.product_list == ["G2M", "G2W"]
    assert sandbox_organizer(sandbox, organizer.email)["products"] == ["G2M", "G2W"]


def test_invite_of_an_email_goto_already_has_is_a_conflict_and_caches_nothing(
    sandbox, admin_api, admin_user, sales, cached
):
    Organizer.objects.filter(email="maya.martin@acme.example").delete()  # cache does not know
    before = Organizer.objects.count()
    with pytest.raises(services.OrganizerActionError) as caught:
        _invite(admin_api, admin_user, sales, email="maya.martin@acme.example")
    assert "already exists (409)" in caught.value.message
    assert Organizer.objects.count() == before
    entry = AuditEntry.objects.get(action="organizer.invite")
    assert entry.outcome == "failure" and "409" in entry.detail


def test_non_admin_token_is_refused_and_caches_nothing(sandbox, goto_client, admin_user, sales):
    before = Organizer.objects.count()
    with pytest.raises(services.OrganizerActionError) as caught:
        _invite(goto_client("organizer@acme.example"), admin_user, sales)
    assert "by a GoTo account admin only" in caught.value.message
    assert Organizer.objects.count() == before
    assert sandbox_organizer(sandbox, "new.hire@acme.example") is None


def test_rate_limited_invite_is_a_clear_message_and_changes_nothing(
    sandbox, admin_api, admin_user, sales
):
    before = Organizer.objects.count()
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    with pytest.raises(services.OrganizerActionError) as caught:
        _invite(admin_api, admin_user, sales)
    assert "limiting how fast the portal may call it (429)" in caught.value.message
    assert Organizer.objects.count() == before
    assert sandbox_organizer(sandbox, "new.hire@acme.example") is None
    assert AuditEntry.objects.get(action="organizer.invite").outcome == "failure"


def test_server_error_is_not_retried_for_a_create_and_changes_nothing(
    sandbox, admin_api, admin_user, sales
):
    before, calls_before = Organizer.objects.count(), admin_api.calls_made
    sandbox.faults(fail_next=[503])
    with pytest.raises(services.OrganizerActionError) as caught:
        _invite(admin_api, admin_user, sales)
    assert "server error (503)" in caught.value.message
    assert admin_api.calls_made - calls_before == 1
    assert Organizer.objects.count() == before


def test_reinviting_a_deleted_organizer_brings_back_the_same_row(
    sandbox, admin_api, admin_user, sales
):
    organizer = _invite(admin_api, admin_user, sales)
    services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    again = _invite(admin_api, admin_user, sales)
    assert again.pk == organizer.pk
    assert again.deleted_at is None and again.is_pending


def test_invite_page_creates_and_shows_the_new_organizer(signed_in_admin, sandbox, sales):
    response = signed_in_admin.post(
        reverse("organizers:invite"),
        {
            "email": "page.hire@acme.example",
            "first_name": "Page",
            "last_name": "Hire",
            "group": sales.pk,
            "product_type": "G2T",
        },
        follow=True,
    )
    organizer = Organizer.objects.get(email="page.hire@acme.example")
    assert response.redirect_chain[-1][0] == reverse("organizers:detail", args=[organizer.pk])
    assert "Invited page.hire@acme.example (pending confirmation)." in response.content.decode()
    assert sandbox_organizer(sandbox, "page.hire@acme.example")["products"] == ["G2M", "G2T"]


def test_invite_page_shows_an_api_error_and_keeps_the_input(signed_in_admin, sandbox, sales):
    sandbox.faults(fail_next=[500])
    response = signed_in_admin.post(
        reverse("organizers:invite"),
        {
            "email": "page.hire@acme.example",
            "first_name": "Page",
            "last_name": "Hire",
            "group": sales.pk,
            "product_type": "G2M",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "GoTo had a server error (500)" in html
    assert 'value="page.hire@acme.example"' in html
    assert not Organizer.objects.filter(email="page.hire@acme.example").exists()


def test_invite_page_without_a_stored_token_signs_out_and_sends_nothing(
    client_for, admin_user, sales, sandbox_settings
):
    response = client_for(admin_user).post(
        reverse("organizers:invite"),
        {
            "email": "page.hire@acme.example",
            "first_name": "Page",
            "last_name": "Hire",
            "group": sales.pk,
            "product_type": "G2M",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Organizer.objects.filter(email="page.hire@acme.example").exists()
    assert not Organizer.objects.filter(email="page.hire@acme.example").exists()
