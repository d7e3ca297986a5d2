"""Triggering from the portal: "Refresh now" on the Sync status page enqueues an area's task."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditOutcome

from ..locks import lock_is_held
from ..models import SyncArea, SyncOutcome, SyncRun
from .runs import SyncUnavailable, _describe

BROKER_CHECK_SECONDS = 1


def interactive_queue() -> str:
    """The queue "Refresh now" sends to (a worker should consume it ahead of "sync")."""
    return getattr(settings, "SYNC_INTERACTIVE_QUEUE", "interactive")


def _area_task(area: str):
    """The area's task, from the registry (imported here: the registry imports the services)."""
    from ..areas import area_entry

    return area_entry(area).task


@dataclass(frozen=True)
class TriggerResult:
    run: SyncRun
    already_running: bool


def sync_trigger(*, area: str, acting_user) -> TriggerResult:
    """Enqueue a "Refresh now" of ``area`` on the interactive queue; audit "sync.trigger".

    Returns the SyncRun the task will fill (its page polls it). When a run of the area holds
    the lock, records a skipped run instead ("already running"). Raises
    :class:`SyncUnavailable` when the task cannot be enqueued (Redis or the broker is down);
    nothing else changes then but the failed run and its audit entry.
    """
    area = SyncArea(area)
    who = getattr(acting_user, "email", "") or str(acting_user)
    try:
        busy = lock_is_held(area)
    except Exception:  # the lock store is down; the enqueue below will say so
        busy = False
    if busy:
        with transaction.atomic():
            run = SyncRun.objects.create(
                area=area,
                triggered_by=who,
                outcome=SyncOutcome.SKIPPED,
                finished_at=timezone.now(),
                error="already running",
            )
            audit_record(
                actor=acting_user,
                action=AuditAction.SYNC_TRIGGER,
                target=run,
                target_label=f"Refresh {area.label}",
                detail="already running",
            )
        return TriggerResult(run=run, already_running=True)
    with transaction.atomic():
        run = SyncRun.objects.create(area=area, triggered_by=who)
        audit_record(
            actor=acting_user,
            action=AuditAction.SYNC_TRIGGER,
            target=run,
            target_label=f"Refresh {area.label}",
            detail=f"queued on {interactive_queue()}",
        )
    try:
        _enqueue(area, run)
    except Exception as exc:
        message = f"Could not queue the refresh: the task queue is unreachable ({_describe(exc)})"
        SyncRun.objects.filter(pk=run.pk).update(
            outcome=SyncOutcome.FAILED, error=message, finished_at=timezone.now()
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.SYNC_TRIGGER,
            target=run,
            target_label=f"Refresh {area.label}",
            outcome=AuditOutcome.FAILURE,
            detail=message,
        )
        raise SyncUnavailable(message) from exc
    return TriggerResult(run=run, already_running=False)


def _enqueue(area: str, run: SyncRun) -> None:
    """Send the task; fail within seconds (kombu OperationalError) when the broker is down."""
    from kombu.exceptions import OperationalError

    from portal.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CHECK_SECONDS)
            _area_task(area).apply_async(
                kwargs={"run_id": run.pk, "triggered_by": run.triggered_by},
                queue=interactive_queue(),
                retry=False,
                connection=connection,
            )
    except OperationalError:
        raise
    except OSError as exc:  # a refused connection not wrapped by kombu
        raise OperationalError(str(exc)) from exc
