"""Attendees are fetched per group and window, with the history: a first sync asks at most one
group attendee call per group window (per organizer for a group of more than 50) and never
one call per meeting instance; a meeting held since the last sync comes with its attendees
on the next incremental run; attendees_sync catches up what the history left, per group
window, and asks single instances only for what no group answer settles, at most
SYNC_ATTENDEES_PER_RUN a run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gotomeeting import split_windows
from meetings.models import Attendee, Meeting, MeetingInstance
from organizers.models import Group
from sync import services
from sync.locks import SyncLock
from sync.models import SyncArea, SyncRun
from tests.sync.expectations import cached_attendees, expected_attendees

pytestmark = pytest.mark.django_db

BY_GROUP = "GET /G2M/rest/groups/{groupKey}/attendees"
BY_ORGANIZER = "GET /G2M/rest/organizers/{organizerKey}/attendees"
BY_INSTANCE = "GET /G2M/rest/meetings/{meetingId}/attendees"
HISTORY_BY_GROUP = "GET /G2M/rest/groups/{groupKey}/historicalMeetings"
HISTORY_BY_ORGANIZER = "GET /G2M/rest/organizers/{organizerKey}/historicalMeetings"


def _assert_attendees_match(state: dict) -> None:
    """Every attendee of the sandbox is cached with its values, each instance's minutes are
    the sum of its attendees' and every instance is marked synced."""
    assert cached_attendees() == expected_attendees(state)
    minutes: dict[int, int] = {}
    for a in state["attendees"]:
        minutes[a["meetingInstanceKey"]] = minutes.get(a["meetingInstanceKey"], 0) + a["duration"]
    cached = dict(MeetingInstance.objects.values_list("instance_key", "attendee_minutes"))
    assert cached == {key: minutes.get(key, 0) for key in cached}
    assert not MeetingInstance.objects.filter(attendees_synced_at=None).exists()


def _full_sync(client) -> None:
    services.organizers_sync(client=client)
    services.history_sync(client=client)


def _forget_attendees(instances) -> None:
    """As a cache synced before attendees came with the history: instances without them."""
    Attendee.objects.filter(instance__in=instances).delete()
    instances.update(attendees_synced_at=None, attendee_minutes=0)


def test_first_sync_asks_attendees_per_group_window_and_never_per_instance(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    services.organizers_sync(client=client)
    sandbox.reset_stats()

    history = services.history_sync(client=client)
    attendees = services.attendees_sync(client=client)

    state = sandbox.state()
    _assert_attendees_match(state)
    routes = sandbox.stats()["routes"]
    big = Group.objects.get(num_organizers__gt=50)
    windows = {
        int(run.key): len(split_windows(run.window_start, run.window_end))
        for run in SyncRun.objects.filter(area=SyncArea.HISTORY).exclude(key="")
    }
    big_hosts = big.organizers.filter(organizer_key__isnull=False).count()
    # At most one group call per window of each group of at most 50 organizers ...
    small_windows = sum(n for key, n in windows.items() if key != big.group_key)
    assert 0 < routes[BY_GROUP] <= small_windows
    # ... and per organizer, only for the group of more than 50 (as its history falls back).
    assert 0 < routes[BY_ORGANIZER] <= big_hosts * windows[big.group_key]
    assert routes.get(BY_INSTANCE, 0) == 0
    assert routes[BY_GROUP] + routes[BY_ORGANIZER] < len(state["instances"])
    # The history run made (and counts) the attendee calls and rows; attendees had none left.
    assert history.api_calls == sum(routes.values())
    assert history.rows_created == len(state["instances"]) + len(state["attendees"])
    assert (attendees.api_calls, attendees.rows_created) == (0, 0)
    assert services.attendees_sync(client=client).api_calls == 0


def test_meetings_held_since_the_last_sync_come_with_their_attendees_on_the_next_run(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    _full_sync(client)
    services.scheduled_sync(client=client)
    upcoming = Meeting.objects.filter(is_live=False, removed_at=None)
    small = upcoming.filter(organizer__group__num_organizers__lte=50).first()
    big = upcoming.filter(organizer__group__num_organizers__gt=50).first()
    held = sandbox.hold_meeting(small.meeting_id, attendees=4)
    nobody = sandbox.hold_meeting(big.meeting_id, attendees=0)
    # The big group's meeting was scheduled weeks ahead: only a full pass of the group asks
    # its host (test_history_candidates.py covers the passes in between).
    sync_settings.SYNC_HISTORY_SWEEP_SECONDS = 0
    sandbox.reset_stats()

    history = services.history_sync(client=client)

    routes = sandbox.stats()["routes"]
    # One attendee call for the window of each group where a meeting was held: the group
    # call, and for the group of more than 50 only its host's.
    assert (routes[BY_GROUP], routes[BY_ORGANIZER], routes.get(BY_INSTANCE, 0)) == (1, 1, 0)
    assert history.api_calls == sum(routes.values())
    assert history.rows_created == 2 + 4
    instance = MeetingInstance.objects.get(instance_key=held["meetingInstanceKey"])
    assert instance.attendees.count() == 4
    assert instance.attendee_minutes == sum(a.duration_minutes for a in instance.attendees.all())
    assert instance.attendee_minutes > 0
    empty = MeetingInstance.objects.get(instance_key=nobody["meetingInstanceKey"])
    assert empty.num_attendees == 0 and not empty.attendees.exists()
    assert empty.attendees_synced_at is not None and empty.attendee_minutes == 0
    _assert_attendees_match(sandbox.state())
    sandbox.reset_stats()
    assert services.attendees_sync(client=client).api_calls == 0


def test_attendees_sync_catches_up_per_group_window_and_asks_alone_only_what_none_settles(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    _full_sync(client)
    instances = MeetingInstance.objects.all()
    _forget_attendees(instances)
    small = list(Group.objects.filter(num_organizers__lte=50).order_by("name"))
    attended = instances.filter(num_attendees__gt=0, group__num_organizers__lte=50)
    # An instance without a group, and one filed under a group its host is not in (the group
    # answer leaves it out though its history counts attendees): each is asked alone.
    no_group = attended.first()
    MeetingInstance.objects.filter(pk=no_group.pk).update(group=None)
    moved = attended.exclude(pk=no_group.pk).first()
    elsewhere = next(g for g in small if g.pk != moved.group_id)
    MeetingInstance.objects.filter(pk=moved.pk).update(group=elsewhere)
    sandbox.reset_stats()

    run = services.attendees_sync(client=client)

    _assert_attendees_match(sandbox.state())
    routes = sandbox.stats()["routes"]
    assert routes.get(BY_INSTANCE) == 2
    big = Group.objects.get(num_organizers__gt=50)
    # The instances span the back-fill: at most as many windows per group as it has.
    backfill = len(split_windows(timezone.now() - timedelta(days=370), timezone.now()))
    assert routes[BY_GROUP] <= backfill * len(small)
    assert routes[BY_ORGANIZER] <= backfill * big.organizers.count()
    assert HISTORY_BY_GROUP not in routes and HISTORY_BY_ORGANIZER not in routes
    assert run.api_calls == sum(routes.values())
    assert run.rows_created == len(sandbox.state()["attendees"])


def test_instances_asked_alone_are_bounded_per_run_and_the_next_run_continues(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    _full_sync(client)
    lone = MeetingInstance.objects.filter(
        pk__in=list(MeetingInstance.objects.order_by("pk").values_list("pk", flat=True)[:3])
    )
    _forget_attendees(lone)
    lone.update(group=None)
    sandbox.reset_stats()

    first = services.attendees_sync(client=client, limit=2)

    assert sandbox.stats()["routes"] == {BY_INSTANCE: 2}
    assert first.api_calls == 2
    assert lone.filter(attendees_synced_at=None).count() == 1

    services.attendees_sync(client=client, limit=2)

    assert sandbox.stats()["routes"] == {BY_INSTANCE: 3}
    _assert_attendees_match(sandbox.state())


def test_attendees_sync_leaves_a_group_whose_history_sync_is_running_to_it(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    _full_sync(client)
    engineering = Group.objects.get(name="Engineering")
    waiting = MeetingInstance.objects.filter(group=engineering)
    _forget_attendees(waiting)
    lock = SyncLock(SyncArea.HISTORY, str(engineering.group_key))
    assert lock.acquire()
    sandbox.reset_stats()
    try:
        run = services.attendees_sync(client=client)
    finally:
        lock.release()

    assert run.api_calls == 0 and sandbox.stats()["routes"] == {}
    assert waiting.filter(attendees_synced_at=None).count() == waiting.count() > 0

    services.attendees_sync(client=client)

    routes = sandbox.stats()["routes"]
    assert set(routes) == {BY_GROUP} and 0 < routes[BY_GROUP] <= 7
    _assert_attendees_match(sandbox.state())
