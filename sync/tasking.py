"""What every sync task shares: its Celery options and how it gets its client and run.

The tasks themselves live in ``sync/tasks.py`` and do nothing but load their arguments by id
and call a service of :mod:`sync.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from gotomeeting.errors import RateLimited, ServerError, TransportError

from .cadence import defer_if_not_due
from .models import SyncOutcome, SyncRun

# Retries with backoff on what may pass (the client has already retried each call itself);
# acks_late is safe because every sync is an idempotent upsert under a lock.
SYNC_TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": (RateLimited, ServerError, TransportError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "reject_on_worker_lost": True,
}

SCHEDULED_BY = "schedule"


def run_sync_service(
    service: Callable[..., SyncRun],
    *,
    area: str,
    run_id: int | None = None,
    triggered_by: str = "",
    **arguments: Any,
) -> dict[str, Any]:
    """Call ``service`` with the service client and the run ``run_id`` (if still waiting).

    When there is no working service connection, the run is recorded as failed and the error
    raised (it is not retried: an Admin has to act). A periodic run (beat's: no run, no
    arguments) of an area whose cadence the API budget has stretched is not run until the
    stretched cadence has elapsed (:func:`sync.cadence.defer_if_not_due`).
    """
    from accounts.connections import service_client

    if run_id is None and not triggered_by and all(v is None for v in arguments.values()):
        deferred = defer_if_not_due(area, triggered_by=SCHEDULED_BY)
        if deferred is not None:
            return {"run": deferred.pk, "outcome": "deferred", "api_calls": 0}
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    triggered_by = triggered_by or (run.triggered_by if run else "") or SCHEDULED_BY
    try:
        client = service_client()
    except Exception as exc:
        _record_failure(area=area, run=run, triggered_by=triggered_by, error=exc)
        raise
    try:
        result = service(client=client, run=run, triggered_by=triggered_by, **arguments)
    finally:
        client.close()
    return {
        "run": result.pk,
        "outcome": result.outcome,
        "created": result.rows_created,
        "updated": result.rows_updated,
        "api_calls": result.api_calls,
    }


def _record_failure(*, area: str, run: SyncRun | None, triggered_by: str, error: Exception) -> None:
    from accounts.tokens import TokenRevoked

    from .services.runs import _describe

    # TokenRevoked says what is missing in words for people; the rest in the vocabulary's.
    message = (
        f"No service connection: {error if isinstance(error, TokenRevoked) else _describe(error)}"
    )
    if run is not None and run.outcome == SyncOutcome.RUNNING and run.finished_at is None:
        SyncRun.objects.filter(pk=run.pk).update(
            outcome=SyncOutcome.FAILED, error=message, finished_at=timezone.now()
        )
        return
    SyncRun.objects.create(
        area=area,
        triggered_by=triggered_by[:254],
        outcome=SyncOutcome.FAILED,
        error=message,
        finished_at=timezone.now(),
    )
