"""Which windows the next history run of a group asks for: at most 60 days each, a first
sync back-filling SYNC_BACKFILL_DAYS, later ones only since the last committed window end
minus SYNC_OVERLAP_HOURS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.models import SyncArea, SyncOutcome, SyncRun
from sync.services import history_windows
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_first_sync_backfills_in_contiguous_windows_of_at_most_60_days(settings):
    settings.SYNC_BACKFILL_DAYS = 365
    windows = history_windows(group=GroupFactory(), now=NOW)

    assert windows[0][0] == NOW - timedelta(days=365)
    assert windows[-1][1] == NOW
    assert len(windows) == 7
    assert all(end - start <= timedelta(days=60) for start, end in windows)
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:], strict=False))


def test_next_sync_starts_at_the_last_committed_window_end_minus_the_overlap(settings):
    settings.SYNC_OVERLAP_HOURS = 6
    group = GroupFactory()
    cursor = NOW - timedelta(minutes=20)
    SyncRun.objects.create(
        area=SyncArea.HISTORY,
        key=str(group.group_key),
        outcome=SyncOutcome.SUCCESS,
        window_end=cursor - timedelta(days=1),
    )
    # A failed run still moved the cursor as far as its last committed window.
    SyncRun.objects.create(
        area=SyncArea.HISTORY,
        key=str(group.group_key),
        outcome=SyncOutcome.FAILED,
        window_end=cursor,
    )
    SyncRun.objects.create(area=SyncArea.HISTORY, key="999", window_end=NOW)  # another group

    assert history_windows(group=group, now=NOW) == [(cursor - timedelta(hours=6), NOW)]


def test_since_overrides_the_cursor():
    since = NOW - timedelta(days=90)
    windows = history_windows(group=GroupFactory(), since=since, now=NOW)
    assert windows == [(since, since + timedelta(days=60)), (since + timedelta(days=60), NOW)]


def test_a_since_run_starting_after_the_cursor_leaves_the_cursor_where_it_was(
    sandbox, sync_settings, goto_client
):
    from django.utils import timezone

    from organizers.models import Group
    from sync.services import group_history_sync, history_cursor, organizers_sync

    client = goto_client()
    organizers_sync(client=client)
    group = Group.objects.get(name="Engineering")
    cursor = timezone.now() - timedelta(days=30)
    SyncRun.objects.create(
        area=SyncArea.HISTORY,
        key=str(group.group_key),
        outcome=SyncOutcome.SUCCESS,
        window_end=cursor,
    )

    later = group_history_sync(client=client, group=group, since=timezone.now() - timedelta(days=5))

    assert later.outcome == SyncOutcome.SUCCESS and not later.advances_cursor
    assert history_cursor(group=group) == cursor, "the 25 days in between are still to sync"

    earlier = group_history_sync(
        client=client, group=group, since=timezone.now() - timedelta(days=40)
    )

    assert earlier.advances_cursor
    assert history_cursor(group=group) == earlier.window_end
