"""The scheduled pass of a group over 50 organizers in slices (SYNC_SCHEDULED_SWEEP_SECONDS
longer than the pass's interval): each pass asks a share of its organizers, a sweep covers
them all, and a meeting deleted at GoTo is removed only by the pass that asked its host."""

from __future__ import annotations

import math
import time

import pytest

from meetings.models import Meeting
from organizers.models import Group
from sandbox.timeutil import iso
from sync import activity, services

pytestmark = pytest.mark.django_db

ORGANIZER_UPCOMING = "GET /G2M/rest/organizers/{organizerKey}/upcomingMeetings"


@pytest.fixture
def sliced(sync_settings):
    sync_settings.SYNC_SCHEDULED_EVERY_SECONDS = 300
    sync_settings.SYNC_SCHEDULED_SWEEP_SECONDS = 900
    return 3


def test_each_pass_asks_a_slice_and_a_sweep_covers_everyone(sandbox, sliced, goto_client):
    client = goto_client()
    services.organizers_sync(client=client)
    big = next(g for g in Group.objects.all() if activity.uses_per_organizer_calls(g))
    members = big.organizers.filter(organizer_key__isnull=False, deleted_at__isnull=True)
    keys = set(members.values_list("organizer_key", flat=True))
    now = iso(time.time())
    big_meetings = {
        m["meetingId"]
        for m in sandbox.state()["meetings"]
        if m["organizerKey"] in keys and m["endTime"] > now  # upcoming
    }
    cached_after: list[set[int]] = []
    for _ in range(sliced):
        sandbox.reset_stats()
        services.scheduled_sync(client=client)
        asked = sandbox.stats()["routes"][ORGANIZER_UPCOMING]
        assert asked == math.ceil(members.count() / sliced)
        cached_after.append(set(Meeting.objects.values_list("meeting_id", flat=True)))

    assert not big_meetings <= cached_after[0]  # one pass saw only its slice ...
    assert big_meetings <= cached_after[-1]  # ... the sweep saw every organizer's meetings


def test_meeting_deleted_is_removed_only_by_the_pass_that_asks_its_host(
    sandbox, sliced, goto_client
):
    client = goto_client()
    services.organizers_sync(client=client)
    for _ in range(sliced):
        services.scheduled_sync(client=client)
    coming = activity.scheduled_slice().keys
    later = (
        Meeting.objects.filter(
            removed_at=None, is_live=False, organizer__group__num_organizers__gt=50
        )
        .exclude(organizer_key__in=coming)
        .first()
    )
    client.delete_meeting(later.meeting_id)

    services.scheduled_sync(client=client)  # its host is not in this slice

    later.refresh_from_db()
    assert later.removed_at is None
    for _ in range(sliced - 1):
        services.scheduled_sync(client=client)
    later.refresh_from_db()
    assert later.removed_at is not None
