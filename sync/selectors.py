"""Reads for the Sync status page: recent runs, freshness per area, worker and connection.

Nothing here may fail because Redis, the broker or the worker is down: the page must keep
serving what the database knows and say what it cannot reach.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from organizers.models import Group
from portal.dates import sql_datetime

from .areas import AREAS, Area, area_entry
from .cadence import AreaCadence, CadencePlan, cadence_plan, duration_text
from .locks import lock_is_held
from .models import SyncOutcome, SyncRun
from .usage import HourUsage, UsageUnavailable, usage_by_hour

logger = logging.getLogger(__name__)

STALE_AFTER_INTERVALS = 3


def last_success_by_area(*, areas: Iterable[Area] = AREAS) -> dict[str, datetime | None]:
    """When each area was last synced in full: the one rule of freshness of the Sync page,
    ``/health/`` and the pages' "synced … ago".

    An area is as fresh as its last successful whole-account run; an area also synced one
    group at a time (the history) is at least as fresh as its least recently synced group
    once every group has synced. So a single group refreshed a minute ago does not make the
    history fresh while another group's is a day old (``/health/`` used to say so, counting any
    successful run), and a pass whose one failing group was then refreshed alone counts as
    complete (the Sync page used to say "never synced", counting only whole-account runs).
    One query per area (the dashboards ask on every cold view): each reads the newest row of
    an (area, key, outcome) in its index, however many runs have been recorded; an area synced
    by group reads its whole-account run and every group's newest in the same statement.
    """
    last: dict[str, datetime | None] = {}
    for entry in areas:
        if not entry.per_group:
            last[entry.key] = _newest_success(entry.key)
            continue
        groups, synced, oldest, whole = _group_successes(entry.key)
        at = whole
        if groups and synced == groups:
            at = oldest if at is None else max(at, oldest)
        last[entry.key] = at
    return last


def _newest_success(area: str) -> datetime | None:
    return (
        SyncRun.objects.filter(
            area=area, key="", outcome=SyncOutcome.SUCCESS, finished_at__isnull=False
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def _group_successes(area: str) -> tuple[int, int, datetime | None, datetime | None]:
    """For an area synced by group: how many groups there are, how many have a successful
    run, the oldest of their newest successes, and the newest whole-account success; one
    statement. Written in SQL: the same statement built with the ORM (a subquery per group in
    an aggregate) cost 1.5 ms of Python on every cold dashboard, its execution 0.2 ms."""
    quote = connection.ops.quote_name
    runs, groups = quote(SyncRun._meta.db_table), quote(Group._meta.db_table)
    newest = (
        f"SELECT r.finished_at FROM {runs} r WHERE r.area = %s AND r.key = {{key}} "  # noqa: S608
        "AND r.outcome = %s AND r.finished_at IS NOT NULL ORDER BY r.finished_at DESC LIMIT 1"
    )
    sql = (
        f"SELECT COUNT(*), COUNT(at), MIN(at), ({newest.format(key='%s')}) FROM "  # noqa: S608
        f"(SELECT ({newest.format(key='CAST(g.group_key AS VARCHAR(20))')}) AS at "
        f"FROM {groups} g) per_group"
    )
    success = SyncOutcome.SUCCESS.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [area, "", success, area, success])
        count, synced, oldest, whole = cursor.fetchone()
    return count, synced, sql_datetime(oldest), sql_datetime(whole)


def last_success_at(area: str) -> datetime | None:
    """When ``area`` was last synced in full (:func:`last_success_by_area`), or None."""
    entry = area_entry(area)
    return last_success_by_area(areas=[entry])[entry.key]


@dataclass(frozen=True)
class AreaAge:
    """How fresh one area is, from the database alone (no Redis: ``/health/`` reads it)."""

    area: str
    label: str
    interval: timedelta  # the effective cadence: stretched when the API budget is short
    last_success_at: datetime | None
    stale: bool  # never synced, or older than STALE_AFTER_INTERVALS intervals

    @property
    def max_age(self) -> timedelta:
        return STALE_AFTER_INTERVALS * self.interval


def area_ages(*, now: datetime | None = None, plan: CadencePlan | None = None) -> list[AreaAge]:
    """Each area's freshness, in the registry's order, judged by its effective cadence (the
    stretched one when the API budget stretched it, :mod:`sync.cadence`)."""
    now = now or timezone.now()
    plan = plan or cadence_plan()
    last = last_success_by_area()
    ages = []
    for entry in AREAS:
        interval = plan.of(entry.key).effective
        success_at = last[entry.key]
        ages.append(
            AreaAge(
                area=entry.key,
                label=entry.label,
                interval=interval,
                last_success_at=success_at,
                stale=success_at is None or now - success_at > STALE_AFTER_INTERVALS * interval,
            )
        )
    return ages


@dataclass(frozen=True)
class AreaFreshness:
    area: str
    label: str
    interval: timedelta  # the effective cadence: stretched when the API budget is short
    last_success_at: datetime | None
    last_run: SyncRun | None
    running: bool | None  # None: the lock store cannot be asked
    stale: bool
    cadence: AreaCadence | None = None
    stretch_reason: str = ""

    @property
    def never_synced(self) -> bool:
        return self.last_success_at is None

    @property
    def interval_text(self) -> str:
        return duration_text(self.interval)

    @property
    def configured_text(self) -> str:
        return duration_text(self.cadence.configured) if self.cadence else self.interval_text


def area_freshness(
    *, now: datetime | None = None, plan: CadencePlan | None = None
) -> list[AreaFreshness]:
    """For each area: when it last synced in full (:func:`last_success_by_area`), whether that
    is stale (older than three of its effective intervals, see :mod:`sync.cadence`), and
    whether a run holds its lock now."""
    now = now or timezone.now()
    plan = plan or cadence_plan()
    areas = []
    for age in area_ages(now=now, plan=plan):
        last_run = (
            SyncRun.objects.filter(area=age.area, key="")
            .exclude(outcome=SyncOutcome.SKIPPED)
            .order_by("-started_at", "-id")
            .first()
        )
        try:
            running = lock_is_held(age.area)
        except Exception:
            running = None
        areas.append(
            AreaFreshness(
                area=age.area,
                label=age.label,
                interval=age.interval,
                last_success_at=age.last_success_at,
                last_run=last_run,
                running=running,
                stale=age.stale,
                cadence=plan.of(age.area),
                stretch_reason=plan.reason(age.area),
            )
        )
    return areas


def recent_runs(*, area: str | None = None) -> QuerySet[SyncRun]:
    """Sync runs, newest first (optionally of one area)."""
    runs = SyncRun.objects.order_by("-started_at", "-id")
    return runs.filter(area=area) if area else runs


def run_to_show(*, run: SyncRun) -> SyncRun:
    """The run a progress box shows: ``run``, or the retry that followed it.

    A failed run that Celery retries continues in a new SyncRun of the same area and key,
    triggered by the same person.
    """
    if run.outcome in (SyncOutcome.RUNNING, SyncOutcome.SUCCESS):
        return run
    newer = (
        SyncRun.objects.filter(
            area=run.area, key=run.key, triggered_by=run.triggered_by, id__gt=run.id
        )
        .exclude(outcome=SyncOutcome.SKIPPED)
        .order_by("-id")
        .first()
    )
    return newer or run


def run_is_waiting(*, run: SyncRun) -> bool:
    """A "running" run no worker has picked up (its lock is free)."""
    if run.outcome != SyncOutcome.RUNNING:
        return False
    try:
        return not lock_is_held(run.area, run.key)
    except Exception:
        return False


@dataclass(frozen=True)
class WorkerStatus:
    reachable: bool
    workers: tuple[str, ...]
    detail: str


def worker_status(*, timeout: float = 1.0) -> WorkerStatus:
    """Whether a Celery worker answers a ping through the broker."""
    from portal.celery import app as celery_app

    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            replies = celery_app.control.ping(timeout=timeout, connection=connection) or []
    except Exception as exc:  # broker down: kombu.OperationalError, redis errors, OSError
        logger.info("Celery ping failed: %s", exc)
        return WorkerStatus(False, (), "The task queue (Redis broker) does not answer")
    names = tuple(sorted(name for reply in replies for name in reply))
    if not names:
        return WorkerStatus(False, (), "No worker answered the ping")
    return WorkerStatus(True, names, f"{len(names)} worker(s) answering")


@dataclass(frozen=True)
class ConnectionInfo:
    label: str
    ok: bool
    detail: str


def service_connection_info() -> ConnectionInfo:
    """Which GoTo connection background work uses (without asking the API)."""
    try:
        from accounts.connections import service_connection_status

        status = service_connection_status()
    except Exception as exc:  # not set up yet, or its store fails: say so, do not crash
        logger.info("Service connection status unavailable: %s", exc)
        return ConnectionInfo("Service connection status unavailable", False, str(exc))
    return ConnectionInfo(status.label, status.ok, status.detail)


@dataclass(frozen=True)
class UsageRow:
    area: str
    operation: str
    this_hour: int
    last_hour: int
    day: int  # the last 24 hours, this one included
    throttled: int  # 429s in the last 24 hours


@dataclass(frozen=True)
class ApiBudget:
    """What the Sync page shows of the API budget: calls counted per hour, area and operation
    (``sync.usage``) against the token's limit, and the sync's estimated need (``sync.cadence``).
    """

    calls_per_second: int
    limit_per_hour: int
    background_per_hour: float
    plan: CadencePlan
    hours: tuple[HourUsage, ...] = ()  # the current hour first
    unavailable: str = ""  # why the counts cannot be read

    @property
    def counted(self) -> bool:
        return any(hour.calls for hour in self.hours)

    @property
    def this_hour(self) -> HourUsage | None:
        return self.hours[0] if self.hours else None

    @property
    def last_hour(self) -> HourUsage | None:
        return self.hours[1] if len(self.hours) > 1 else None

    @property
    def busy_hours(self) -> list[tuple[HourUsage, float]]:
        """The hours with calls, newest first, each with its share of the limit (percent)."""
        return [(hour, self.share(hour.calls)) for hour in self.hours if hour.calls]

    @property
    def rows(self) -> list[UsageRow]:
        """Calls per area and operation, busiest first over the day."""
        table: dict[tuple[str, str], list[int]] = {}
        for index, hour in enumerate(self.hours):
            for row in hour.operations:
                counts = table.setdefault((row.area, row.operation), [0, 0, 0, 0])
                if index < 2:
                    counts[index] += row.calls
                counts[2] += row.calls
                counts[3] += row.throttled
        rows = [UsageRow(area, op, *counts) for (area, op), counts in table.items()]
        return sorted(rows, key=lambda row: (-row.day, row.area, row.operation))

    def share(self, calls: int) -> float:
        """``calls`` in an hour as a percentage of the hour's limit."""
        return 100 * calls / self.limit_per_hour if self.limit_per_hour else 0.0

    @property
    def last_hour_share(self) -> float:
        return self.share(self.last_hour.calls) if self.last_hour else 0.0

    @property
    def this_hour_share(self) -> float:
        return self.share(self.this_hour.calls) if self.this_hour else 0.0

    @property
    def day_throttled(self) -> int:
        return sum(hour.throttled for hour in self.hours)


def api_budget(*, plan: CadencePlan | None = None, now: datetime | None = None) -> ApiBudget:
    """The budget and the calls counted in the last 24 hours; never fails (Redis down: says so)."""
    plan = plan or cadence_plan()
    limits = {
        "calls_per_second": settings.GOTO_API_CALLS_PER_SECOND,
        "limit_per_hour": settings.GOTO_API_CALLS_PER_SECOND * 3600,
        "background_per_hour": plan.background_per_hour,
        "plan": plan,
    }
    try:
        hours = usage_by_hour(hours=24, now=now)
    except UsageUnavailable as exc:
        logger.info("API usage unreadable: %s", exc)
        return ApiBudget(
            **limits, unavailable="Redis, where every process counts its calls, does not answer"
        )
    return ApiBudget(**limits, hours=tuple(hours))


RUNS_PER_PAGE = 25


@dataclass(frozen=True)
class StatusOverview:
    areas: list[AreaFreshness]
    runs: Page
    group_names: dict[str, str]
    worker: WorkerStatus
    connection: ConnectionInfo
    budget: ApiBudget


def status_overview(*, page_number: str | int | None = None) -> StatusOverview:
    """Everything the Sync status page shows, read from the database (and a worker ping)."""
    runs = Paginator(recent_runs(), RUNS_PER_PAGE).get_page(page_number)
    keys = {run.key for run in runs if run.key}
    group_names = {
        str(group_key): name
        for group_key, name in Group.objects.filter(
            group_key__in=[int(key) for key in keys if key.isdigit()]
        ).values_list("group_key", "name")
    }
    for run in runs:
        run.scope_label = group_names.get(run.key, run.key) if run.key else "whole account"
        run.duration_text = _duration(run)
    plan = cadence_plan()
    return StatusOverview(
        areas=area_freshness(plan=plan),
        runs=runs,
        group_names=group_names,
        worker=worker_status(),
        connection=service_connection_info(),
        budget=api_budget(plan=plan),
    )


def _duration(run: SyncRun) -> str:
    if run.finished_at is None:
        return ""
    seconds = max(0, int((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"
