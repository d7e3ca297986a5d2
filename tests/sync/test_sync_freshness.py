"""One rule of freshness for the Sync status page, ``/health/`` and the pages' "synced … ago":
an area is as fresh as its last complete pass, and the history (also synced one group at a
time) as its least recently synced group. They used to disagree: ``/health/`` counted any
successful run (one group refreshed made the whole history fresh), the Sync page only runs of
the whole account (a pass finished group by group was "never synced in full")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.selectors import last_sync_at
from portal.health import sync_ages
from sync.models import SyncArea, SyncOutcome, SyncRun
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_15_minutes(settings):
    settings.SYNC_HISTORY_EVERY_SECONDS = 15 * 60  # stale after 45 min


def _run(key: str, minutes_ago: float, outcome: str = SyncOutcome.SUCCESS) -> SyncRun:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    run = SyncRun.objects.create(area=SyncArea.HISTORY, key=key, outcome=outcome)
    SyncRun.objects.filter(pk=run.pk).update(started_at=when, finished_at=when)
    run.refresh_from_db()
    return run


def _history_on_both_pages(client) -> tuple[dict, str]:
    health = {area["area"]: area for area in sync_ages()}["history"]
    page = client.get("/sync/").content.decode()
    cell = page.split('data-testid="freshness-history"')[1].split("</td>")[0]
    return health, cell


def test_one_group_refreshed_does_not_make_the_history_fresh_on_either_page(
    admin_user, client_for, every_15_minutes
):
    fresh, behind = GroupFactory(), GroupFactory()
    whole_pass = _run("", 2 * 24 * 60)  # the last whole pass: two days ago
    _run(str(fresh.group_key), 1)  # "Refresh" of one group a minute ago
    _run(str(behind.group_key), 2 * 24 * 60 + 1)  # synced by that pass

    health, cell = _history_on_both_pages(client_for(admin_user))

    assert health["last_success"] == whole_pass.finished_at  # was: a minute ago, "ok"
    assert health["status"] == "degraded"
    assert "Meeting history synced 2\xa0days ago" in cell
    assert "Stale" in cell
    assert last_sync_at(SyncArea.HISTORY) == whole_pass.finished_at


def test_a_pass_completed_group_by_group_is_fresh_on_both_pages(
    admin_user, client_for, every_15_minutes
):
    first, second = GroupFactory(), GroupFactory()
    _run("", 12, outcome=SyncOutcome.FAILED)  # the pass failed on the second group ...
    oldest = _run(str(first.group_key), 12)
    _run(str(second.group_key), 2)  # ... which an Admin then refreshed alone

    health, cell = _history_on_both_pages(client_for(admin_user))

    assert health["last_success"] == oldest.finished_at
    assert health["status"] == "ok"
    assert "Meeting history synced 12\xa0minutes ago" in cell  # was: "Never synced in full."
    assert "Stale" not in cell
    assert last_sync_at(SyncArea.HISTORY) == oldest.finished_at


def test_a_group_never_synced_keeps_the_history_as_old_as_its_last_whole_pass(
    admin_user, client_for, every_15_minutes
):
    synced, _new = GroupFactory(), GroupFactory()
    _run(str(synced.group_key), 1)

    health, cell = _history_on_both_pages(client_for(admin_user))

    assert health["last_success"] is None and health["message"] == "never synced"
    assert "Never synced in full." in cell
