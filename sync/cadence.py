"""Cadences that stretch when the API budget cannot carry them.

Beat starts each sync area at its configured cadence (``SYNC_<AREA>_EVERY_SECONDS``). Whether the
API budget can carry that is known from the runs themselves:

- **Cost of a run**: the median ``SyncRun.api_calls`` of the area's last ``RECENT_RUNS`` finished
  whole-account runs (successful or failed: both spent their calls). The median, not the mean:
  the first history run is a year's back-fill costing hundreds of times an ordinary run; once
  two ordinary runs followed it, the estimate is theirs. An area that never ran costs nothing
  yet (nothing is known to stretch it for).
- **The sync's share of the budget**: ``GOTO_API_CALLS_PER_SECOND`` less the
  ``GOTO_API_BACKGROUND_HEADROOM`` left to people's clicks, per ``GOTO_API_BUDGET_WINDOW_SECONDS``
  (the window the budget actually enforces), per hour.
- **Stretching**: when the areas together need more calls per hour than that share, cadences
  stretch in the registry's priority order (:func:`priority_order`), the least urgent area
  first, in whole multiples of the configured cadence (beat still fires at the configured one,
  so a stretch of 4 means "every fourth tick") up to ``SYNC_CADENCE_MAX_STRETCH`` times; only
  then does the next area up stretch. When every area is at its cap and the estimate still does
  not fit, the budget itself (``sync.budget``) slows the runs down, and the Sync page says the
  budget is short.
- **A deferred run**: a periodic run (beat's, without arguments; never "Refresh now", never the
  ``sync`` command, never a per-group run) of an area whose stretched cadence has not elapsed
  since its last successful run started is not run: :func:`defer_if_not_due` records it as a
  skipped run whose error says why, one row between two real runs (the row is brought up to
  date, not repeated, so a live area deferred every minute adds no noise). A failed run does
  not restart the clock: the next tick (or Celery's retry) runs again.

Freshness reads the same plan: an area synced within three *effective* intervals is fresh, on
the Sync page and in ``/health/`` alike.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .areas import area_entry, by_priority
from .models import DEFERRED_PREFIX, SyncArea, SyncOutcome, SyncRun

RECENT_RUNS = 5


def priority_order() -> tuple[SyncArea, ...]:
    """The areas, most urgent first: the registry's priorities (:mod:`sync.areas`, which says
    why live and scheduled meetings come first and attendees last)."""
    return tuple(entry.area for entry in by_priority())


def configured_interval(area: str) -> timedelta:
    """How often beat starts ``area`` (its cadence setting in the registry)."""
    return area_entry(area).interval


def duration_text(interval: timedelta) -> str:
    """``90 s``, ``4 min``, ``3 h``, ``1 h 30 min``: how the pages write a cadence."""
    seconds = int(interval.total_seconds())
    if seconds < 60 or seconds % 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" if not minutes else f"{hours} h {minutes} min"


@dataclass(frozen=True)
class AreaCadence:
    area: str
    configured: timedelta
    stretch: int  # 1: as configured; n: every n-th tick of beat
    calls_per_run: float | None  # None: no finished run to judge by

    @property
    def effective(self) -> timedelta:
        return self.configured * self.stretch

    @property
    def stretched(self) -> bool:
        return self.stretch > 1

    @property
    def calls_per_hour(self) -> float:
        """The estimated calls per hour at the effective cadence."""
        return self._per_hour(self.effective)

    @property
    def configured_calls_per_hour(self) -> float:
        """The estimated calls per hour at the configured cadence."""
        return self._per_hour(self.configured)

    def _per_hour(self, interval: timedelta) -> float:
        return (self.calls_per_run or 0.0) * 3600 / interval.total_seconds()


@dataclass(frozen=True)
class CadencePlan:
    areas: tuple[AreaCadence, ...]  # most urgent first
    limit_per_hour: float  # the token's whole budget
    background_per_hour: float  # the sync's share of it

    def of(self, area: str) -> AreaCadence:
        return next(cadence for cadence in self.areas if cadence.area == SyncArea(area))

    @property
    def estimated(self) -> bool:
        """Whether any area has a finished run to estimate its calls from."""
        return any(cadence.calls_per_run is not None for cadence in self.areas)

    @property
    def needed_per_hour(self) -> float:
        """Calls per hour the areas would make at their configured cadences."""
        return sum(cadence.configured_calls_per_hour for cadence in self.areas)

    @property
    def planned_per_hour(self) -> float:
        """Calls per hour the areas make at their effective cadences."""
        return sum(cadence.calls_per_hour for cadence in self.areas)

    @property
    def fits(self) -> bool:
        return self.planned_per_hour <= self.background_per_hour

    def reason(self, area: str) -> str:
        """Why ``area`` runs less often than configured ("" when it does not)."""
        cadence = self.of(area)
        if not cadence.stretched:
            return ""
        return (
            f"every {duration_text(cadence.effective)} instead of "
            f"{duration_text(cadence.configured)}: the API budget cannot carry more (the sync "
            f"would need about {self.needed_per_hour:,.0f} calls an hour at the configured "
            f"cadences; its share of the budget is {self.background_per_hour:,.0f})"
        )


def background_calls_per_hour() -> float:
    """The sync's share of the token's budget, in calls per hour."""
    calls = max(1, settings.GOTO_API_CALLS_PER_SECOND - settings.GOTO_API_BACKGROUND_HEADROOM)
    return calls * 3600 / settings.GOTO_API_BUDGET_WINDOW_SECONDS


def stretches(
    *,
    calls_per_run: Mapping[str, float | None],
    intervals: Mapping[str, timedelta],
    budget_per_hour: float,
    max_stretch: int,
) -> dict[str, int]:
    """How many configured intervals each area waits between runs so that the estimated calls
    per hour fit ``budget_per_hour``: the least urgent area stretches first, up to
    ``max_stretch``, before the next one up stretches at all."""
    factor = {area: 1 for area in intervals}

    def per_hour(area: str) -> float:
        return (
            (calls_per_run.get(area) or 0.0)
            * 3600
            / (intervals[area].total_seconds() * factor[area])
        )

    for area in reversed(priority_order()):
        total = sum(per_hour(name) for name in intervals)
        if total <= budget_per_hour:
            break
        cost = calls_per_run.get(area) or 0.0
        if area not in intervals or cost <= 0:
            continue
        room = budget_per_hour - (total - per_hour(area))  # what the others leave it
        if room <= 0:
            factor[area] = max_stretch
            continue
        needed = cost * 3600 / (room * intervals[area].total_seconds())
        factor[area] = max(1, min(max_stretch, math.ceil(needed - 1e-9)))
    return factor


def _calls_per_run(area: str) -> float | None:
    # One query per outcome, each a short walk of the (area, key, outcome, -finished_at) index:
    # with both outcomes in one query PostgreSQL sorts every run of the area (279 ms for the
    # 5 areas at 200,000 runs, against about 1 ms this way).
    recent: list[tuple] = []
    for outcome in (SyncOutcome.SUCCESS, SyncOutcome.FAILED):
        recent += (
            SyncRun.objects.filter(area=area, key="", outcome=outcome, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", "api_calls")[:RECENT_RUNS]
        )
    newest = sorted(recent, reverse=True)[:RECENT_RUNS]
    return float(statistics.median(calls for _, calls in newest)) if newest else None


def cadence_plan() -> CadencePlan:
    """Each area's configured and effective cadence and its estimated calls (ten short queries)."""
    costs = {area.value: _calls_per_run(area) for area in priority_order()}
    intervals = {area.value: configured_interval(area) for area in priority_order()}
    budget = background_calls_per_hour()
    factor = stretches(
        calls_per_run=costs,
        intervals=intervals,
        budget_per_hour=budget,
        max_stretch=max(1, settings.SYNC_CADENCE_MAX_STRETCH),
    )
    return CadencePlan(
        areas=tuple(
            AreaCadence(
                area=area.value,
                configured=intervals[area.value],
                stretch=factor[area.value],
                calls_per_run=costs[area.value],
            )
            for area in priority_order()
        ),
        limit_per_hour=settings.GOTO_API_CALLS_PER_SECOND * 3600,
        background_per_hour=budget,
    )


def defer_if_not_due(
    area: str, *, triggered_by: str, now: datetime | None = None
) -> SyncRun | None:
    """For a periodic run of ``area``: the skipped run recorded when its stretched cadence has
    not elapsed since the last successful run started (None: run it).

    Half a configured interval of slack, so beat's n-th tick after a run is never missed by
    the few seconds a task waits in the queue.
    """
    plan = cadence_plan()
    cadence = plan.of(area)
    if not cadence.stretched:
        return None
    now = now or timezone.now()
    runs = SyncRun.objects.filter(area=area, key="")
    # By finished_at (indexed): runs of an area never overlap (its lock), so the last to finish
    # is the last to start.
    last = runs.filter(outcome=SyncOutcome.SUCCESS).order_by("-finished_at").first()
    if last is None or now - last.started_at >= cadence.effective - cadence.configured / 2:
        return None
    error = f"{DEFERRED_PREFIX}{plan.reason(area)}"
    newest = runs.order_by("-id").first()
    if newest is not None and newest.deferred:
        newest.error, newest.finished_at = error, now
        newest.save(update_fields=["error", "finished_at"])
        return newest
    return SyncRun.objects.create(
        area=area,
        triggered_by=triggered_by,
        outcome=SyncOutcome.SKIPPED,
        finished_at=now,
        error=error,
    )
