"""Deleting an organizer: by key, or by email while pending; the cached row is kept (marked
deleted, with its meetings) and hidden from the default list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from meetings.models import MeetingInstance
from organizers import services
from organizers.models import Organizer
from tests.factories import MeetingInstanceFactory, OrganizerFactory
from tests.organizers.conftest import sandbox_organizer

pytestmark = pytest.mark.django_db

EMAIL = "organizer@acme.example"


def test_delete_by_key_keeps_the_row_and_its_meetings(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    held = MeetingInstanceFactory(organizer=organizer)
    services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert sandbox_organizer(sandbox, EMAIL) is None
    organizer.refresh_from_db()
    assert organizer.deleted_at is not None
    assert MeetingInstance.objects.get(pk=held.pk).organizer_id == organizer.pk
    entry = AuditEntry.objects.get(action="organizer.delete")
    assert entry.outcome == "success" and "by key" in entry.detail


def test_delete_pending_organizer_by_email(sandbox, admin_api, admin_user, cached):
    pending = Organizer.objects.filter(organizer_key__isnull=True).first()
    assert sandbox_organizer(sandbox, pending.email) is not None
    services.organizer_delete(client=admin_api, organizer=pending, acting_user=admin_user)
    assert sandbox_organizer(sandbox, pending.email) is None
    assert Organizer.objects.get(pk=pending.pk).deleted_at is not None
    assert "by email" in AuditEntry.objects.get(action="organizer.delete").detail


def test_delete_of_an_unknown_key_is_a_404_message_and_changes_nothing(
    sandbox, admin_api, admin_user, cached
):
    ghost = OrganizerFactory(organizer_key=4242424243, email="ghost@acme.example")
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_delete(client=admin_api, organizer=ghost, acting_user=admin_user)
    assert "may have been deleted elsewhere" in caught.value.message
    assert Organizer.objects.get(pk=ghost.pk).deleted_at is None
    assert AuditEntry.objects.get(action="organizer.delete").outcome == "failure"


def test_delete_twice_is_refused(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    calls = admin_api.calls_made
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert caught.value.message.endswith("it is already deleted.")
    assert admin_api.calls_made == calls


def test_delete_rate_limited_changes_nothing(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    with pytest.raises(services.OrganizerActionError):
        services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert Organizer.objects.get(pk=organizer.pk).deleted_at is None
    assert sandbox_organizer(sandbox, EMAIL) is not None


def test_delete_server_error_changes_nothing(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    sandbox.faults(fail_next=[500])
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_delete(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert "server error (500)" in caught.value.message
    assert Organizer.objects.get(pk=organizer.pk).deleted_at is None


def test_confirmation_page_names_the_organizer_and_warns(signed_in_admin, cached):
    organizer = cached[EMAIL]
    html = signed_in_admin.get(reverse("organizers:delete", args=[organizer.pk])).content.decode()
    assert "Delete Olive Organizer (organizer@acme.example)?" in html
    assert "This cannot be undone." in html
    assert 'method="post"' in html
    assert Organizer.objects.get(pk=organizer.pk).deleted_at is None


def test_confirmation_page_of_a_pending_organizer_says_by_email(signed_in_admin, cached):
    pending = Organizer.objects.filter(organizer_key__isnull=True).first()
    html = signed_in_admin.get(reverse("organizers:delete", args=[pending.pk])).content.decode()
    assert f"the pending invitation of {pending.email} (deleted by email)" in html


def test_deleted_organizer_leaves_the_default_list(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    response = signed_in_admin.post(reverse("organizers:delete", args=[organizer.pk]), follow=True)
    assert "Deleted Olive Organizer (organizer@acme.example)." in response.content.decode()
    listed = signed_in_admin.get(reverse("organizers:list"), {"q": "olive"})
    assert list(listed.context["organizers"]) == []
    shown = signed_in_admin.get(reverse("organizers:list"), {"q": "olive", "show_deleted": "on"})
    assert [o.pk for o in shown.context["organizers"]] == [organizer.pk]
