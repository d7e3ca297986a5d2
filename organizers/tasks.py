"""Celery tasks of the organizers area: the bulk import and the re-check of an organizer after
a write whose answer was lost.

Each task loads its arguments by id and calls a service; nothing else. The refresh of groups
and organizers is the sync's: ``sync/tasks.py``, still registered as
``organizers.sync_organizers``.
"""

from __future__ import annotations

from celery import shared_task

from sync.tasking import SYNC_TASK_OPTIONS

from .services import IMPORT_TASK


@shared_task(name=IMPORT_TASK)
def import_organizers_task(job_id: int) -> str:
    """Create the valid rows of an import job at GoTo (queue "interactive", see settings)."""
    from .models import ImportJob
    from .services import organizers_import_execute

    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return "gone"
    return organizers_import_execute(job=job).status


@shared_task(name="organizers.reconcile_organizer", **SYNC_TASK_OPTIONS)
def reconcile_organizer_task(organizer_id: int, acting_user_id: int | None = None) -> str:
    """Re-read one organizer at GoTo after a write whose answer was lost (queue "interactive")."""
    from accounts.models import User

    from .models import Organizer
    from .services import organizer_reconcile

    organizer = Organizer.objects.filter(pk=organizer_id).first()
    if organizer is None:
        return "gone"
    acting_user = User.objects.filter(pk=acting_user_id).first() if acting_user_id else None
    organizer_reconcile(organizer=organizer, acting_user=acting_user)
    return "done"
