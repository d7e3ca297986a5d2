"""Live meetings found by asking only where a meeting can be live (sync/activity.py), against
the sandbox: a scheduled meeting that starts is live after the next pass, with a fraction of
the calls of asking everyone; a meeting nobody scheduled is found by the sweep within its
period; a meeting that ends is no longer live; the sweep keeps big groups' scheduled meetings
fresh, so the scheduled pass leaves their organizers to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gotomeeting.models import MeetingRequest, MeetingType
from meetings.models import Meeting
from organizers.models import Group, Organizer
from sync import activity, services

pytestmark = pytest.mark.django_db

GROUP_UPCOMING = "GET /G2M/rest/groups/{groupKey}/upcomingMeetings"
ORGANIZER_UPCOMING = "GET /G2M/rest/organizers/{organizerKey}/upcomingMeetings"
GET_MEETING = "GET /G2M/rest/meetings/{meetingId}"


@pytest.fixture
def synced(sandbox, sync_settings, goto_client):
    client = goto_client()
    services.organizers_sync(client=client)
    services.scheduled_sync(client=client)
    return client


def _calls_asking_everyone() -> int:
    """What one live pass cost before: a call per small group, one per big-group organizer."""
    calls = 0
    for group in Group.objects.all():
        if activity.uses_per_organizer_calls(group):
            calls += group.organizers.filter(
                organizer_key__isnull=False, deleted_at__isnull=True
            ).count()
        else:
            calls += 1
    return calls


def _quiet_big_group_organizer(now) -> Organizer:
    """An active organizer of the group over 50 whom no live rule points at now."""
    keys, _ = activity.live_candidates(now=now)
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    return (
        big.organizers.filter(organizer_key__isnull=False, deleted_at__isnull=True, status="active")
        .exclude(organizer_key__in=keys)
        .order_by("organizer_key")
        .first()
    )


def test_scheduled_meeting_that_starts_is_live_after_the_next_pass_with_few_calls(
    sandbox, synced, goto_client
):
    now = timezone.now()
    host = _quiet_big_group_organizer(now)
    created = goto_client(host.email).create_meeting(
        MeetingRequest(
            subject="Quarterly pipeline",
            starttime=now + timedelta(minutes=2),
            endtime=now + timedelta(minutes=47),
            password_required=False,
            conference_call_info="VoIP",
            meeting_type=MeetingType.SCHEDULED,
        )
    )
    services.scheduled_sync(client=synced)
    services.live_sync(client=synced)
    assert not Meeting.objects.get(meeting_id=created.meeting_id).is_live
    sandbox.start_meeting(created.meeting_id)
    sandbox.reset_stats()

    run = services.live_sync(client=synced)

    assert Meeting.objects.get(meeting_id=created.meeting_id).is_live
    routes = sandbox.stats()["routes"]
    assert run.api_calls == routes.get(GROUP_UPCOMING, 0) + routes.get(ORGANIZER_UPCOMING, 0) + (
        routes.get(GET_MEETING, 0)
    )
    # The host's own list was asked (not the whole big group), and the pass cost at most a
    # quarter of asking everyone (the sweep's slice included).
    everyone = _calls_asking_everyone()
    assert 1 <= routes[ORGANIZER_UPCOMING] < everyone / 4
    assert run.api_calls < everyone / 4


def test_instant_meeting_nobody_scheduled_is_found_by_the_sweep_within_its_period(
    sandbox, synced, sync_settings
):
    sync_settings.SYNC_LIVE_EVERY_SECONDS = 60
    sync_settings.SYNC_LIVE_SWEEP_SECONDS = 5 * 60
    host = _quiet_big_group_organizer(timezone.now())
    instant = sandbox.start_instant_meeting(host.organizer_key, minutes=30)
    passes = activity.sweep_slices()
    assert passes == 5
    sandbox.reset_stats()

    found_after = None
    for number in range(1, passes + 1):
        services.live_sync(client=synced)
        meeting = Meeting.objects.filter(meeting_id=instant["meetingId"]).first()
        if meeting is not None and meeting.is_live:
            found_after = number
            break

    assert found_after is not None, f"not found in {passes} passes (one sweep)"
    assert meeting.meeting_type == "immediate"
    assert meeting.organizer_id == host.pk
    # Each pass asked a slice, not everyone: the passes so far cost less than asking everyone
    # as often.
    routes = sandbox.stats()["routes"]
    asked = routes.get(GROUP_UPCOMING, 0) + routes.get(ORGANIZER_UPCOMING, 0)
    assert asked < found_after * _calls_asking_everyone() / 2


def test_every_organizer_is_asked_once_per_sweep(sandbox, synced, sync_settings):
    sync_settings.SYNC_LIVE_EVERY_SECONDS = 60
    sync_settings.SYNC_LIVE_SWEEP_SECONDS = 4 * 60
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    members = set(
        big.organizers.filter(organizer_key__isnull=False, deleted_at__isnull=True).values_list(
            "organizer_key", flat=True
        )
    )
    asked: set[int] = set()
    for _ in range(activity.sweep_slices()):
        plan = activity.live_plan(now=timezone.now())
        asked.update(plan.organizer_keys)
        activity.sweep_advance(plan)

    assert asked == members


def test_meeting_that_ends_is_no_longer_live_after_the_next_recheck(sandbox, synced):
    from django.core.cache import cache

    services.live_sync(client=synced)  # a recheck pass: the live meetings still run
    upcoming = activity.live_plan(now=timezone.now())  # the next pass's calls
    live = next(
        meeting
        for meeting in Meeting.objects.filter(is_live=True).select_related("organizer")
        if meeting.organizer.group_id not in {group.pk for group in upcoming.groups}
        and meeting.organizer.organizer_key not in upcoming.organizer_keys
    )
    sandbox.hold_meeting(live.meeting_id, 3)  # it ran until now, and ended

    services.live_sync(client=synced)  # a minute later: live meetings are not asked about

    live.refresh_from_db()
    assert live.is_live  # shown live at most RECHECK longer
    cache.set(activity.RECHECK_KEY, (timezone.now() - activity.RECHECK).timestamp())
    sandbox.reset_stats()

    run = services.live_sync(client=synced)

    live.refresh_from_db()
    assert not live.is_live
    assert live.removed_at is not None  # no longer upcoming at GoTo, as the scheduled pass says
    assert run.rows_updated >= 1
    still = {m["meetingId"] for m in sandbox.state()["meetings"] if m["status"] == "ACTIVE"}
    assert set(Meeting.objects.filter(is_live=True).values_list("meeting_id", flat=True)) == still


def test_live_pass_without_the_cache_sweep_position_starts_over(sandbox, synced, settings):
    """Redis losing the sweep position (or being down) costs a repeated slice and a recheck,
    nothing else."""
    from django.core.cache import cache

    first = activity.live_plan(now=timezone.now())
    activity.sweep_advance(first)
    cache.delete_many([activity.SWEEP_POSITION_KEY, activity.RECHECK_KEY])

    again = activity.live_plan(now=timezone.now())

    assert again.organizer_keys == first.organizer_keys
    assert services.live_sync(client=synced).outcome == "success"


def test_scheduled_pass_leaves_big_groups_to_a_live_sweep_that_keeps_them_fresh(
    sandbox, synced, sync_settings, goto_client
):
    sync_settings.SYNC_LIVE_SWEEP_SECONDS = 5 * 60
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    small_groups = Group.objects.count() - 1
    assert not activity.live_sweep_covered_everyone(now=timezone.now())
    # Between two sweeps: one organizer deletes a meeting, another schedules one.
    deleted = (
        Meeting.objects.filter(organizer__group=big, is_live=False, removed_at=None)
        .order_by("meeting_id")
        .first()
    )
    synced.delete_meeting(deleted.meeting_id)
    host = _quiet_big_group_organizer(timezone.now())
    start = timezone.now() + timedelta(days=3)
    created = goto_client(host.email).create_meeting(
        MeetingRequest(
            subject="Territory planning",
            starttime=start,
            endtime=start + timedelta(minutes=30),
            password_required=False,
            conference_call_info="VoIP",
            meeting_type=MeetingType.SCHEDULED,
        )
    )

    for _ in range(activity.sweep_slices()):
        services.live_sync(client=synced)

    deleted.refresh_from_db()
    assert deleted.removed_at is not None
    assert Meeting.objects.get(meeting_id=created.meeting_id).organizer_id == host.pk
    assert activity.live_sweep_covered_everyone(now=timezone.now())
    sandbox.reset_stats()
    services.scheduled_sync(client=synced)
    routes = sandbox.stats()["routes"]
    assert routes.get(ORGANIZER_UPCOMING, 0) == 0
    assert routes[GROUP_UPCOMING] == small_groups
    deleted.refresh_from_db()
    assert deleted.removed_at is not None


def test_scheduled_pass_asks_every_organizer_when_the_live_sweep_is_not_running(sandbox, synced):
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    services.live_sync(client=synced)  # one pass is not a sweep
    sandbox.reset_stats()

    services.scheduled_sync(client=synced)

    asked = sandbox.stats()["routes"][ORGANIZER_UPCOMING]
    assert (
        asked == big.organizers.filter(organizer_key__isnull=False, deleted_at__isnull=True).count()
    )
