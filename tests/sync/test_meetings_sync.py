"""History, attendees, scheduled and live sync against the sandbox: the incremental run finds
a meeting held since the last sync and its attendees; a meeting deleted at GoTo gets
``removed_at`` (kept in the cache); a live meeting that is gone is no longer live."""

from __future__ import annotations

import pytest
from django.utils import timezone

from meetings.models import Attendee, Meeting, MeetingInstance
from organizers.models import Group, Organizer
from sync import services
from sync.models import SyncArea, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(sandbox, sync_settings, goto_client):
    client = goto_client()
    services.organizers_sync(client=client)
    services.scheduled_sync(client=client)
    return client


def test_meeting_held_after_the_last_sync_is_found_by_the_incremental_run_with_attendees(
    sandbox, synced
):
    meeting = Meeting.objects.filter(
        is_live=False, organizer__group__num_organizers__lte=50
    ).first()
    group = meeting.organizer.group
    services.group_history_sync(client=synced, group=group)
    services.attendees_sync(client=synced)
    held = sandbox.hold_meeting(meeting.meeting_id, 4)
    sandbox.reset_stats()

    history = services.group_history_sync(client=synced, group=group)
    attendees = services.attendees_sync(client=synced)

    # One history call and one group attendee call for the overlap window: the instance and
    # its 4 attendees; the attendees run has nothing left to ask.
    assert (history.rows_created, history.rows_updated, history.api_calls) == (1 + 4, 0, 2)
    assert sandbox.stats()["routes"]["GET /G2M/rest/groups/{groupKey}/attendees"] == 1
    instance = MeetingInstance.objects.get(instance_key=held["meetingInstanceKey"])
    assert instance.organizer_id == meeting.organizer_id
    assert instance.group_id == meeting.organizer.group_id
    assert (attendees.rows_created, attendees.api_calls) == (0, 0)
    assert instance.attendees.count() == 4
    instance.refresh_from_db()
    assert instance.attendees_synced_at is not None
    assert instance.attendee_minutes == sum(a.duration_minutes for a in instance.attendees.all())
    assert Attendee.objects.filter(instance=instance).count() == 4


def test_meeting_deleted_at_goto_gets_removed_at_and_stays_in_the_cache(sandbox, synced):
    meeting = Meeting.objects.filter(is_live=False, removed_at__isnull=True).first()
    synced.delete_meeting(meeting.meeting_id)

    run = services.scheduled_sync(client=synced)

    meeting.refresh_from_db()
    assert meeting.removed_at is not None
    assert (run.rows_created, run.rows_updated) == (0, 1)
    assert services.scheduled_sync(client=synced).rows_updated == 0


def test_live_meeting_gone_from_goto_is_no_longer_live_and_removed(sandbox, synced):
    live = Meeting.objects.filter(is_live=True)
    assert live.count() == sum(m["status"] == "ACTIVE" for m in sandbox.state()["meetings"]) > 0
    ended = live.first()
    synced.delete_meeting(ended.meeting_id)
    sandbox.reset_stats()

    run = services.live_sync(client=synced)

    # Its host's upcoming list was asked (a host of a live meeting is a candidate) and no
    # longer has it: the scheduled pass's rule gives it removed_at, no get_meeting needed.
    ended.refresh_from_db()
    assert not ended.is_live and ended.removed_at is not None
    assert sandbox.stats()["routes"].get("GET /G2M/rest/meetings/{meetingId}") is None
    assert run.rows_updated == 1
    assert SyncRun.objects.filter(area=SyncArea.LIVE).count() == 1


def test_live_meeting_of_an_organizer_in_no_group_is_checked_with_get_meeting(sandbox, synced):
    ended = Meeting.objects.filter(is_live=True).first()
    Organizer.objects.filter(pk=ended.organizer_id).update(group=None)  # no list covers it
    synced.delete_meeting(ended.meeting_id)
    sandbox.reset_stats()

    run = services.live_sync(client=synced)

    ended.refresh_from_db()
    assert not ended.is_live
    assert sandbox.stats()["routes"].get("GET /G2M/rest/meetings/{meetingId}") == 1
    assert run.rows_updated == 1


def test_group_refusing_the_group_scoped_call_falls_back_to_per_organizer_calls(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    services.organizers_sync(client=client)
    big = Group.objects.get(num_organizers__gt=50)
    # Our counts are stale (GoTo still has more than 50): the group-scoped call is tried first.
    Group.objects.filter(pk=big.pk).update(num_organizers=10)
    asked = list(big.organizers.filter(organizer_key__isnull=False)[:40])
    big.organizers.exclude(pk__in=[o.pk for o in asked]).update(deleted_at=timezone.now())
    sandbox.reset_stats()

    run = services.group_history_sync(client=client, group=Group.objects.get(pk=big.pk))

    assert run.outcome == "success"
    stats = sandbox.stats()
    assert stats["statuses"].get("400") == 7  # once per window, then per organizer
    per_organizer = stats["routes"]["GET /G2M/rest/organizers/{organizerKey}/historicalMeetings"]
    assert per_organizer == 7 * len(asked)
    keys = {o.organizer_key for o in asked}
    expected = {
        i["meetingInstanceKey"] for i in sandbox.state()["instances"] if i["organizerKey"] in keys
    }
    assert set(MeetingInstance.objects.values_list("instance_key", flat=True)) == expected


def test_instance_of_an_organizer_not_cached_keeps_its_key_and_gets_linked_later(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    services.organizers_sync(client=client)
    group = Group.objects.get(name="Engineering")
    state = sandbox.state()
    hosts = {i["organizerKey"] for i in state["instances"]}
    host = group.organizers.filter(organizer_key__in=hosts).first()
    hosted = {
        i["meetingInstanceKey"]
        for i in state["instances"]
        if i["organizerKey"] == host.organizer_key
    }
    host_key = host.organizer_key
    host.delete()  # not cached (yet)

    services.group_history_sync(client=client, group=group)

    orphans = MeetingInstance.objects.filter(instance_key__in=hosted)
    assert orphans.count() == len(hosted)
    assert set(orphans.values_list("organizer_id", "organizer_key", "group_id")) == {
        (None, host_key, group.pk)  # the group from the history row's groupName
    }

    services.organizers_sync(client=client)

    owner = Organizer.objects.get(organizer_key=host_key)
    assert set(orphans.values_list("organizer_id", flat=True)) == {owner.pk}
