"""A back-fill killed after some windows keeps every row it (and earlier syncs) wrote, with
the attendees of those windows, records where it stopped, and the next run continues from
there and completes the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gotomeeting import split_windows
from meetings.models import Attendee, MeetingInstance
from organizers.models import Group
from sync import services
from sync.models import SyncArea, SyncOutcome, SyncRun
from sync.services import history as history_module
from tests.factories import MeetingInstanceFactory

pytestmark = pytest.mark.django_db


def _instances_of_group(state: dict, group_key: int) -> set[int]:
    members = {o["organizerKey"] for o in state["organizers"] if o["groupKey"] == group_key}
    return {i["meetingInstanceKey"] for i in state["instances"] if i["organizerKey"] in members}


def test_failure_on_the_third_window_keeps_rows_and_the_next_run_finishes_the_rest(
    sandbox, sync_settings, goto_client, monkeypatch
):
    client = goto_client()
    services.organizers_sync(client=client)
    group = Group.objects.get(name="Engineering")
    # A row from long ago that GoTo no longer answers for: a sync must never lose it.
    old = MeetingInstanceFactory(
        organizer=None, group=group, start_time=timezone.now() - timedelta(days=700)
    )
    original = history_module._upsert_instances
    calls = {"n": 0}

    def dies_on_third_window(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(history_module, "_upsert_instances", dies_on_third_window)
    with pytest.raises(RuntimeError, match="worker killed"):
        services.group_history_sync(client=client, group=group)

    failed = SyncRun.objects.get(area=SyncArea.HISTORY, key=str(group.group_key))
    assert failed.outcome == SyncOutcome.FAILED
    assert "worker killed" in failed.error
    windows = split_windows(failed.window_start, failed.window_start + timedelta(days=370))
    assert failed.window_end == windows[1][1], "the end of the second (last committed) window"
    kept = set(MeetingInstance.objects.values_list("instance_key", flat=True))
    assert old.instance_key in kept
    expected = _instances_of_group(sandbox.state(), group.group_key)
    assert 0 < len(kept - {old.instance_key}) < len(expected)
    assert all(i.start_time < failed.window_end for i in MeetingInstance.objects.exclude(pk=old.pk))
    committed = MeetingInstance.objects.exclude(pk=old.pk)
    assert not committed.filter(attendees_synced_at=None).exists(), "with their attendees"
    assert Attendee.objects.filter(instance__in=committed).count() == sum(
        1 for a in sandbox.state()["attendees"] if a["meetingInstanceKey"] in kept
    )

    monkeypatch.setattr(history_module, "_upsert_instances", original)
    sandbox.reset_stats()
    resumed = services.group_history_sync(client=client, group=group)

    assert resumed.outcome == SyncOutcome.SUCCESS
    assert resumed.window_start == failed.window_end - timedelta(hours=6)
    windows = len(split_windows(resumed.window_start, resumed.window_end))
    routes = sandbox.stats()["routes"]
    history_calls = routes["GET /G2M/rest/groups/{groupKey}/historicalMeetings"]
    attendee_calls = routes.get("GET /G2M/rest/groups/{groupKey}/attendees", 0)
    assert history_calls == windows < 7, "only the windows the failed run did not finish"
    # Each window's attendees come with its history, one group call at most (none for a
    # window whose meetings all have theirs already), never one call per meeting.
    assert 0 < attendee_calls <= windows
    assert resumed.api_calls == history_calls + attendee_calls == sum(routes.values())
    cached = set(MeetingInstance.objects.values_list("instance_key", flat=True))
    assert cached == expected | {old.instance_key}
    new = expected - kept
    new_attendees = sum(1 for a in sandbox.state()["attendees"] if a["meetingInstanceKey"] in new)
    assert resumed.rows_created == len(new) + new_attendees
    assert not MeetingInstance.objects.exclude(pk=old.pk).filter(attendees_synced_at=None).exists()
