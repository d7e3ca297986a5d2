"""Celery tasks of the sync: the organizers, history, attendees, scheduled and live refreshes.

Each task loads its arguments by id and calls a service of :mod:`sync.services`; nothing else.
Celery beat runs them on the intervals of ``settings.SYNC_*_EVERY_SECONDS`` (queue "sync");
"Refresh now" on the Sync status page sends them to the "interactive" queue
(:func:`sync.services.triggering.sync_trigger`, through the registry :mod:`sync.areas`).

The registered names keep the app that first held each task (``organizers.sync_organizers``,
``meetings.sync_history``, ...): they are in messages already queued, in beat's schedule and
in the task routes, and a worker must still run those after an upgrade.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from organizers.models import Group

from .models import SyncArea
from .services.attendees import attendees_sync
from .services.history import group_history_sync, history_sync
from .services.live import live_sync
from .services.organizers import organizers_sync
from .services.scheduled import scheduled_sync
from .tasking import SYNC_TASK_OPTIONS, run_sync_service


@shared_task(
    name="organizers.sync_organizers",
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
    **SYNC_TASK_OPTIONS,
)
def sync_organizers_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Refresh groups and organizers (with their status) from GoTo into the cache."""
    return run_sync_service(
        organizers_sync, area=SyncArea.ORGANIZERS, run_id=run_id, triggered_by=triggered_by
    )


@shared_task(name="meetings.sync_history", **SYNC_TASK_OPTIONS)
def sync_history_task(
    group_id: int | None = None,
    since: str | None = None,
    run_id: int | None = None,
    triggered_by: str = "",
) -> dict:
    """Sync meeting history: one group (``group_id``) or every group; ``since`` an ISO date."""
    start = datetime.fromisoformat(since) if since else None
    if group_id is None:
        return run_sync_service(
            history_sync,
            area=SyncArea.HISTORY,
            run_id=run_id,
            triggered_by=triggered_by,
            since=start,
        )
    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        return {"run": None, "outcome": "group gone"}
    return run_sync_service(
        group_history_sync,
        area=SyncArea.HISTORY,
        run_id=run_id,
        triggered_by=triggered_by,
        group=group,
        since=start,
    )


@shared_task(name="meetings.sync_attendees", **SYNC_TASK_OPTIONS)
def sync_attendees_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Fetch the attendees of meeting instances not asked about yet."""
    return run_sync_service(
        attendees_sync, area=SyncArea.ATTENDEES, run_id=run_id, triggered_by=triggered_by
    )


@shared_task(
    name="meetings.sync_scheduled", soft_time_limit=5 * 60, time_limit=6 * 60, **SYNC_TASK_OPTIONS
)
def sync_scheduled_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Refresh scheduled meetings (and mark those gone from GoTo as removed)."""
    return run_sync_service(
        scheduled_sync, area=SyncArea.SCHEDULED, run_id=run_id, triggered_by=triggered_by
    )


@shared_task(name="meetings.sync_live", soft_time_limit=100, time_limit=120, **SYNC_TASK_OPTIONS)
def sync_live_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Refresh which meetings are running now."""
    return run_sync_service(live_sync, area=SyncArea.LIVE, run_id=run_id, triggered_by=triggered_by)
