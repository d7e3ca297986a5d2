"""Run bookkeeping shared by every sync service: the lock and the SyncRun of one run.

:class:`_Recorder` holds the lock of an (area, key) and records the run (counts, API calls,
outcome, error, progress) however it ends, so the Sync status page and ``/health/`` can say how
fresh each area is and a run killed halfway is marked as such by the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.tokens import TokenRevoked
from gotomeeting.errors import ApiError
from portal.api_outcomes import describe, without_addresses

from ..locks import SyncLock
from ..models import SyncOutcome, SyncRun
from ..usage import enter_area, leave_area

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient

logger = logging.getLogger(__name__)

ABANDONED = "Did not finish: the process running it stopped, or no worker picked it up."
# A refused token, met by background work: the service connection's, not the reader's.
SERVICE_SIGN_IN_ENDED = (
    "GoTo no longer accepts the service connection's sign-in: an Admin must sign in again, or "
    "choose another Admin on the Sync status page."
)

Progress = Callable[[str], None]


class SyncUnavailable(Exception):
    """A sync could not be started (the task queue or the lock store is unreachable)."""


class _Recorder:
    """Holds the lock and the SyncRun of one run; finishes the run however it ends.

    ``with _Recorder(...) as rec:`` — when another run holds the lock, ``rec.skipped`` is True
    and the run is already recorded as skipped ("already running").
    """

    def __init__(
        self,
        *,
        area: str,
        key: str = "",
        client: GoToMeetingClient,
        triggered_by: str = "",
        run: SyncRun | None = None,
        lock_timeout: int | None = None,
    ) -> None:
        self.area = area
        self.key = key
        self.client = client
        self.calls_at_start = client.calls_made
        reusable = (
            run is not None
            and run.area == area
            and run.key == key
            and run.outcome == SyncOutcome.RUNNING
            and run.finished_at is None
        )
        if reusable:
            self.run = run
        else:
            self.run = SyncRun.objects.create(
                area=area,
                key=key,
                triggered_by=(triggered_by or (run.triggered_by if run else ""))[:254],
            )
        self.lock = SyncLock(area, key, timeout=lock_timeout)
        self.skipped = False

    def __enter__(self) -> _Recorder:
        try:
            acquired = self.lock.acquire()
        except Exception as exc:  # the lock store (Redis) is down: record it, do nothing
            self._finish(SyncOutcome.FAILED, f"Could not take the sync lock: {_describe(exc)}")
            raise SyncUnavailable(f"The lock store is unreachable: {_describe(exc)}") from exc
        if not acquired:
            self.skipped = True
            self._finish(SyncOutcome.SKIPPED, "already running")
            return self
        # Holding the lock, no other run of (area, key) is alive: one still "running" after a
        # whole lock period was killed (or never picked up) and will never finish itself.
        SyncRun.objects.filter(
            area=self.area,
            key=self.key,
            outcome=SyncOutcome.RUNNING,
            started_at__lt=timezone.now() - timedelta(seconds=self.lock.timeout),
        ).exclude(pk=self.run.pk).update(
            outcome=SyncOutcome.FAILED, finished_at=timezone.now(), error=ABANDONED
        )
        self._counted_as = enter_area(self.area)  # the run's API calls count as its area's
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.skipped:
            return False
        try:
            if exc is None:
                self.run.progress = 100
                self._finish(SyncOutcome.SUCCESS, "")
            else:
                self._finish(SyncOutcome.FAILED, _describe(exc))
        finally:
            try:
                self.lock.release()
            except Exception:  # the lock expires on its own
                logger.warning("Could not release %s", self.lock.cache_key, exc_info=True)
            leave_area(self._counted_as)
        return False

    def _finish(self, outcome: str, error: str) -> None:
        self.run.outcome = outcome
        self.run.error = error
        self.run.finished_at = timezone.now()
        self.run.api_calls = max(0, self.client.calls_made - self.calls_at_start)
        self.run.save(
            update_fields=[
                "outcome",
                "error",
                "finished_at",
                "api_calls",
                "progress",
                "rows_created",
                "rows_updated",
            ]
        )

    def record(
        self,
        created: int = 0,
        updated: int = 0,
        *,
        progress: float | None = None,
        window_end: datetime | None = None,
    ) -> None:
        """Add counts and progress to the run (call it inside the write's transaction)."""
        self.run.rows_created += created
        self.run.rows_updated += updated
        fields = ["rows_created", "rows_updated", "api_calls"]
        self.run.api_calls = max(0, self.client.calls_made - self.calls_at_start)
        if progress is not None:
            self.run.progress = max(0, min(99, int(progress * 100)))
            fields.append("progress")
        if window_end is not None:
            self.run.window_end = window_end
            fields.append("window_end")
        self.run.save(update_fields=fields)
        try:
            self.lock.extend()
        except Exception:
            logger.warning("Could not extend %s", self.lock.cache_key, exc_info=True)


def _describe(exc: BaseException) -> str:
    """A run's error for the Sync status page: GoTo's errors in the words of
    :func:`portal.api_outcomes.describe`, then the client's short form for operators (the
    client's errors name no host); anything else by its type and text, addresses hidden."""
    text = str(exc)
    name = type(exc).__name__
    if isinstance(exc, ApiError | TokenRevoked):
        outcome = describe(exc)
        reason = SERVICE_SIGN_IN_ENDED if outcome.ends_sign_in else outcome.reason
        return f"{reason} [{name}: {text}]" if text else reason
    text = without_addresses(text)
    return f"{name}: {text}" if text and name not in text else (text or name)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)
