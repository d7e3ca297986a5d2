"""Organizers and groups sync: upserts by key, pending organizers matched by email, organizers
gone from GoTo marked deleted (never removed, so their meetings keep their owner), and only
rows whose values changed counted as updated."""

from __future__ import annotations

import pytest

from meetings.models import MeetingInstance
from organizers.models import Group, Organizer
from sync.services import organizers_sync
from tests.factories import MeetingInstanceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


def _pending_email(state: dict) -> str:
    return next(o["email"] for o in state["organizers"] if o["organizerKey"] is None)


def test_rerun_creates_nothing_and_updates_only_rows_whose_values_changed(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    first = organizers_sync(client=client)
    assert first.rows_created == Group.objects.count() + Organizer.objects.count()
    assert first.api_calls == 2  # get_groups and get_organizers, once each

    again = organizers_sync(client=client)
    assert (again.rows_created, again.rows_updated) == (0, 0)

    Organizer.objects.filter(email="organizer@acme.example").update(first_name="Stale")
    Group.objects.filter(name="Platform").update(parent=None)
    third = organizers_sync(client=client)
    assert (third.rows_created, third.rows_updated) == (0, 2)
    assert Organizer.objects.get(email="organizer@acme.example").first_name == "Olive"
    assert Group.objects.get(name="Platform").parent.name == "Engineering"


def test_organizer_deleted_at_goto_is_marked_deleted_and_keeps_its_meetings(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    organizers_sync(client=client)
    gone = Organizer.objects.get(email="organizer@acme.example")
    instance = MeetingInstanceFactory(organizer=gone, organizer_key=gone.organizer_key)
    client.delete_organizer(gone.organizer_key)

    run = organizers_sync(client=client)

    gone.refresh_from_db()
    assert gone.deleted_at is not None
    # The organizer marked deleted, and its group's organizer count changed.
    assert (run.rows_created, run.rows_updated) == (0, 2)
    instance.refresh_from_db()
    assert instance.organizer_id == gone.pk
    assert organizers_sync(client=client).rows_updated == 0  # deleted once, not every run


def test_pending_organizer_is_matched_by_email_and_gets_its_key_once_confirmed(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    email = _pending_email(sandbox.state())
    # Invited through the portal before any sync: a local row without a key.
    invited = OrganizerFactory(organizer_key=None, email=email, group=None)

    organizers_sync(client=client)
    assert Organizer.objects.filter(email=email).count() == 1
    invited.refresh_from_db()
    assert invited.organizer_key is None and invited.group is not None

    key = sandbox.confirm_organizer(email)
    run = organizers_sync(client=client)

    invited.refresh_from_db()
    assert invited.organizer_key == key
    assert (run.rows_created, run.rows_updated) == (0, 1)


def test_meetings_of_an_organizer_not_yet_cached_are_linked_when_it_arrives(
    sandbox, sync_settings, goto_client
):
    key = next(
        o["organizerKey"] for o in sandbox.state()["organizers"] if o["organizerKey"] is not None
    )
    orphan = MeetingInstanceFactory(organizer=None, organizer_key=key, group=None)

    organizers_sync(client=goto_client())

    orphan.refresh_from_db()
    owner = Organizer.objects.get(organizer_key=key)
    assert orphan.organizer_id == owner.pk
    assert orphan.group_id == owner.group_id
    assert MeetingInstance.objects.count() == 1
