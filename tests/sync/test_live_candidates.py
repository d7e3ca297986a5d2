"""Which organizers a live pass asks, read from the cache alone (sync/activity.py): each pass a
meeting due to start (with margins) or a recurring meeting in its weekly slot; every few
minutes a meeting cached as live and a recent host; and the fewest calls that answer them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sync import activity
from tests.factories import (
    GroupFactory,
    MeetingFactory,
    MeetingInstanceFactory,
    OrganizerFactory,
)

pytestmark = pytest.mark.django_db


def _candidates(now=None, *, rechecks: bool = True) -> set[int]:
    return activity.live_candidates(now=now or timezone.now(), rechecks=rechecks)[0]


def _meeting_at(start_in_minutes: float, minutes: int = 45, **fields):
    start = timezone.now() + timedelta(minutes=start_in_minutes)
    return MeetingFactory(start_time=start, end_time=start + timedelta(minutes=minutes), **fields)


def test_meeting_due_to_start_makes_its_host_a_candidate_on_every_pass():
    soon = _meeting_at(5)  # hosts start a little early
    later = _meeting_at(25)
    starting_late = _meeting_at(-10)  # not seen live yet
    too_late = _meeting_at(-25)  # left to the sweep
    long_over = _meeting_at(-120, minutes=45)

    keys = _candidates(rechecks=False)

    assert soon.organizer.organizer_key in keys
    assert starting_late.organizer.organizer_key in keys
    assert later.organizer.organizer_key not in keys
    assert too_late.organizer.organizer_key not in keys
    assert long_over.organizer.organizer_key not in keys


def test_recurring_meeting_is_a_candidate_in_its_weekly_slot_only():
    # The cached occurrence is next week at this time: its weekly slot covers now.
    in_slot = _meeting_at(7 * 24 * 60 - 3, meeting_type="recurring")
    elsewhere = _meeting_at(3 * 24 * 60, meeting_type="recurring")
    plain = _meeting_at(7 * 24 * 60 - 3)  # a one-off next week is not due now

    keys = _candidates()

    assert in_slot.organizer.organizer_key in keys
    assert elsewhere.organizer.organizer_key not in keys
    assert plain.organizer.organizer_key not in keys


def test_hosts_of_live_and_recent_meetings_are_candidates_on_recheck_passes_only():
    now = timezone.now()
    recent = MeetingInstanceFactory(start_time=now - timedelta(minutes=70), duration_minutes=40)
    earlier = MeetingInstanceFactory(start_time=now - timedelta(hours=4), duration_minutes=40)
    for instance in (recent, earlier):
        instance.organizer_key = instance.organizer.organizer_key
        instance.save()
    live = _meeting_at(-24 * 60, minutes=30, is_live=True)  # scheduled yesterday, running now

    keys = _candidates(now)
    between_rechecks = _candidates(now, rechecks=False)

    assert recent.organizer_key in keys
    assert earlier.organizer_key not in keys
    assert live.organizer.organizer_key in keys
    assert not {recent.organizer_key, live.organizer.organizer_key} & between_rechecks


def test_rechecks_come_every_few_minutes_and_every_pass_without_the_cache():
    from django.core.cache import cache

    now = timezone.now()
    assert activity.rechecks_due(now=now)
    first = activity.live_plan(now=now)
    activity.sweep_advance(first)

    assert not activity.rechecks_due(now=now + timedelta(minutes=1))
    assert activity.rechecks_due(now=now + activity.RECHECK)
    cache.delete(activity.RECHECK_KEY)
    assert activity.rechecks_due(now=now + timedelta(minutes=1))


def test_plan_asks_a_small_group_once_and_a_big_groups_candidates_one_by_one(settings):
    settings.SYNC_LIVE_EVERY_SECONDS = 60
    settings.SYNC_LIVE_SWEEP_SECONDS = 10**6  # a sweep slice of one unit
    small = GroupFactory(num_organizers=3)
    for _ in range(3):
        _meeting_at(0, organizer=OrganizerFactory(group=small))
    quiet = GroupFactory(num_organizers=2)
    OrganizerFactory.create_batch(2, group=quiet)
    big = GroupFactory(num_organizers=60)
    members = OrganizerFactory.create_batch(60, group=big)
    for host in (members[7], members[42]):
        _meeting_at(0, organizer=host)
    busy = [members[7].organizer_key, members[42].organizer_key]

    plan = activity.live_plan(now=timezone.now())

    asked_groups = {group.pk for group in plan.groups}
    assert small.pk in asked_groups
    assert set(busy) <= set(plan.organizer_keys)
    # At most the sweep's one unit more: the quiet group or one big-group organizer.
    assert plan.calls <= 1 + len(busy) + 1
    assert plan.meeting_ids == []


def test_candidate_meeting_of_an_organizer_in_no_group_is_asked_with_get_meeting():
    alone = _meeting_at(0, organizer=OrganizerFactory(group=None))

    plan = activity.live_plan(now=timezone.now())

    assert plan.meeting_ids == [alone.meeting_id]
    assert plan.groups == [] and plan.organizer_keys == []


@pytest.mark.parametrize(
    ("offset_minutes", "expected"),
    [
        (0, True),  # the slot starts now
        (-30, True),  # running
        (-44, True),  # just past its end (45 minutes long)
        (-45 - 31, False),  # ended 31 minutes ago: past the late margin
        (8, True),  # about to start (early margin)
        (12, False),
        (7 * 24 * 60 + 5, True),  # a week later, same time
        (3 * 24 * 60, False),
    ],
)
def test_weekly_slot_overlap(offset_minutes, expected):
    now = timezone.now()
    start = now + timedelta(minutes=offset_minutes)
    assert activity.slot_overlaps(start, start + timedelta(minutes=45), now, now) is expected
