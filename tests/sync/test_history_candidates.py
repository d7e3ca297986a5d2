"""The history of a group over 50 organizers between two full passes: an incremental pass asks
only the organizers who can have held a meeting (sync/activity.py), and still picks up a
meeting one of them held; a meeting nobody foresaw is found by the next full pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gotomeeting.models import MeetingRequest, MeetingType
from meetings.models import Meeting, MeetingInstance
from organizers.models import Group
from sync import activity, services

pytestmark = pytest.mark.django_db

ORGANIZER_HISTORY = "GET /G2M/rest/organizers/{organizerKey}/historicalMeetings"


def test_incremental_history_of_a_big_group_asks_only_candidates_and_finds_their_meeting(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    services.organizers_sync(client=client)
    services.scheduled_sync(client=client)
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    asked_in_full = big.organizers.filter(organizer_key__isnull=False, deleted_at__isnull=True)
    members = list(asked_in_full.filter(status="active"))  # they can sign in and hold meetings
    backfill = services.group_history_sync(client=client, group=big)
    assert backfill.advances_cursor
    now = timezone.now()
    since = services.history_cursor(group=big) - timedelta(hours=sync_settings.SYNC_OVERLAP_HOURS)
    quiet = activity.history_candidates(group=big, since=since, until=now)
    quiet_members = [o for o in members if o.organizer_key not in quiet]
    host = quiet_members[0]
    # The host schedules a meeting for now and holds it: the cache knows it was due.
    created = goto_client(host.email).create_meeting(
        MeetingRequest(
            subject="Deal review",
            starttime=now + timedelta(minutes=1),
            endtime=now + timedelta(minutes=30),
            password_required=False,
            conference_call_info="VoIP",
            meeting_type=MeetingType.SCHEDULED,
        )
    )
    services.scheduled_sync(client=client)
    sandbox.start_meeting(created.meeting_id)
    held = sandbox.hold_meeting(created.meeting_id, 3)
    # Another organizer holds a meeting the cache had for weeks ahead: nothing foresaw it.
    other = next(
        o
        for o in quiet_members[1:]
        if Meeting.objects.filter(organizer=o, start_time__gt=now + timedelta(days=1)).exists()
    )
    unforeseen = sandbox.hold_meeting(
        Meeting.objects.filter(organizer=other).order_by("start_time").first().meeting_id, 2
    )
    sandbox.reset_stats()

    run = services.group_history_sync(client=client, group=big)

    asked = sandbox.stats()["routes"].get(ORGANIZER_HISTORY, 0)
    candidates = activity.history_candidates(group=big, since=since, until=timezone.now())
    assert host.organizer_key in candidates and other.organizer_key not in candidates
    assert 1 <= asked == len(candidates) < asked_in_full.count() / 4
    instance = MeetingInstance.objects.get(instance_key=held["meetingInstanceKey"])
    assert instance.organizer_id == host.pk
    assert instance.attendees.count() == 3 and instance.attendees_synced_at is not None
    assert not MeetingInstance.objects.filter(
        instance_key=unforeseen["meetingInstanceKey"]
    ).exists()
    assert not run.advances_cursor  # the next full pass starts where the last full one ended

    sync_settings.SYNC_HISTORY_SWEEP_SECONDS = 0  # a full pass is due
    sandbox.reset_stats()
    full = services.group_history_sync(client=client, group=big)

    assert sandbox.stats()["routes"][ORGANIZER_HISTORY] == asked_in_full.count()
    assert full.advances_cursor
    found = MeetingInstance.objects.get(instance_key=unforeseen["meetingInstanceKey"])
    assert found.organizer_id == other.pk
    assert found.attendees.count() == 2


def test_group_asked_with_one_call_always_gets_a_full_pass(sandbox, sync_settings, goto_client):
    client = goto_client()
    services.organizers_sync(client=client)
    small = next(g for g in Group.objects.all() if not activity.uses_per_organizer_calls(g))
    services.group_history_sync(client=client, group=small)
    sandbox.reset_stats()

    run = services.group_history_sync(client=client, group=small)

    assert run.advances_cursor
    assert sandbox.stats()["routes"].get(ORGANIZER_HISTORY, 0) == 0
