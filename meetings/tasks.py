"""Celery tasks of the meetings area: the re-check of a meeting after a write whose answer was
lost (:func:`meetings.services.meeting_reconcile`).

The refreshes of the cache (history, attendees, scheduled and live meetings) are the sync's:
they live in ``sync/tasks.py``, under their old names (``meetings.sync_history``, ...).
"""

from __future__ import annotations

from celery import shared_task

from sync.tasking import SYNC_TASK_OPTIONS


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
