"""Celery tasks of the meetings area: the history, attendees, scheduled and live refreshes.

Each task loads its arguments by id and calls a service of :mod:`sync.services` (the re-check
after a write whose answer was lost calls :func:`meetings.services.meeting_reconcile`); nothing
else.
Celery beat runs them on the intervals of ``settings.SYNC_*_EVERY_SECONDS`` (queue "sync");
"Refresh now" on the Sync status page sends them to the "interactive" queue.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from sync.models import SyncArea
from sync.tasking import SYNC_TASK_OPTIONS, run_sync_service


@shared_task(name="meetings.sync_history", **SYNC_TASK_OPTIONS)
def sync_history_task(
    group_id: int | None = None,
    since: str | None = None,
    run_id: int | None = None,
    triggered_by: str = "",
) -> dict:
    """Sync meeting history: one group (``group_id``) or every group; ``since`` an ISO date."""
    from organizers.models import Group
    from sync.services import group_history_sync, history_sync

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
    from sync.services import attendees_sync

    return run_sync_service(
        attendees_sync, area=SyncArea.ATTENDEES, run_id=run_id, triggered_by=triggered_by
    )


@shared_task(
    name="meetings.sync_scheduled", soft_time_limit=5 * 60, time_limit=6 * 60, **SYNC_TASK_OPTIONS
)
def sync_scheduled_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Refresh scheduled meetings (and mark those gone from GoTo as removed)."""
    from sync.services import scheduled_sync

    return run_sync_service(
        scheduled_sync, area=SyncArea.SCHEDULED, run_id=run_id, triggered_by=triggered_by
    )


@shared_task(name="meetings.sync_live", soft_time_limit=100, time_limit=120, **SYNC_TASK_OPTIONS)
def sync_live_task(run_id: int | None = None, triggered_by: str = "") -> dict:
    """Refresh which meetings are running now."""
    from sync.services import live_sync

    return run_sync_service(live_sync, area=SyncArea.LIVE, run_id=run_id, triggered_by=triggered_by)


@shared_task(name="meetings.reconcile_meeting", **SYNC_TASK_OPTIONS)
def reconcile_meeting_task(
    acting_user_id: int, meeting_id: int | None = None, created: dict | None = None
) -> str:
    """Re-read at GoTo a meeting whose write got no answer (queue "interactive"): the cached
    meeting ``meeting_id`` after an update or delete, or the ``created`` fields after a create."""
    from accounts.models import User

    from .models import Meeting
    from .services import MeetingFields, meeting_reconcile

    acting_user = User.objects.filter(pk=acting_user_id).first()
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if acting_user is None or (meeting is None and created is None):
        return "gone"
    fields = MeetingFields.from_json(created) if created is not None else None
    meeting_reconcile(acting_user=acting_user, meeting=meeting, created=fields)
    return "done"
