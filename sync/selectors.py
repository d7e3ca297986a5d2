"""Reads for the Sync status page: recent runs, freshness per area, worker and connection.

Nothing here may fail because Redis, the broker or the worker is down: the page must keep
serving what the database knows and say what it cannot reach.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from organizers.models import Group

from .areas import AREAS, Area, area_entry
from .locks import lock_is_held
from .models import SyncOutcome, SyncRun

logger = logging.getLogger(__name__)

STALE_AFTER_INTERVALS = 3


def area_interval(area: str) -> timedelta:
    """How often beat runs ``area`` (its cadence setting in the registry)."""
    return area_entry(area).interval


def last_success_by_area(*, areas: Iterable[Area] = AREAS) -> dict[str, datetime | None]:
    """When each area was last synced in full: the one rule of freshness of the Sync page,
    ``/health/`` and the pages' "synced … ago".

    An area is as fresh as its last successful whole-account run; an area also synced one
    group at a time (the history) is at least as fresh as its least recently synced group
    once every group has synced. So a single group refreshed a minute ago does not make the
    history fresh while another group's is a day old (``/health/`` used to say so, counting any
    successful run), and a pass whose one failing group was then refreshed alone counts as
    complete (the Sync page used to say "never synced", counting only whole-account runs).
    One query per area, and one more for an area synced by group; each reads the newest row of
    an (area, key, outcome) in its index, however many runs have been recorded.
    """
    successes = SyncRun.objects.filter(outcome=SyncOutcome.SUCCESS, finished_at__isnull=False)
    newest = successes.order_by("-finished_at").values_list("finished_at", flat=True)
    last: dict[str, datetime | None] = {}
    for entry in areas:
        at = newest.filter(area=entry.key, key="").first()
        if entry.per_group:
            group_key = Cast(OuterRef("group_key"), output_field=CharField())
            by_group = list(
                Group.objects.annotate(
                    last=Subquery(newest.filter(area=entry.key, key=group_key)[:1])
                ).values_list("last", flat=True)
            )
            if by_group and None not in by_group:
                oldest = min(by_group)
                at = oldest if at is None else max(at, oldest)
        last[entry.key] = at
    return last


def last_success_at(area: str) -> datetime | None:
    """When ``area`` was last synced in full (:func:`last_success_by_area`), or None."""
    entry = area_entry(area)
    return last_success_by_area(areas=[entry])[entry.key]


@dataclass(frozen=True)
class AreaAge:
    """How fresh one area is, from the database alone (no Redis: ``/health/`` reads it)."""

    area: str
    label: str
    interval: timedelta
    last_success_at: datetime | None
    stale: bool  # never synced, or older than STALE_AFTER_INTERVALS intervals

    @property
    def max_age(self) -> timedelta:
        return STALE_AFTER_INTERVALS * self.interval


def area_ages(*, now: datetime | None = None) -> list[AreaAge]:
    """Each area's freshness, in the registry's order."""
    now = now or timezone.now()
    last = last_success_by_area()
    ages = []
    for entry in AREAS:
        interval = entry.interval
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
    interval: timedelta
    last_success_at: datetime | None
    last_run: SyncRun | None
    running: bool | None  # None: the lock store cannot be asked
    stale: bool

    @property
    def never_synced(self) -> bool:
        return self.last_success_at is None

    @property
    def interval_text(self) -> str:
        return duration_text(int(self.interval.total_seconds()))


def duration_text(seconds: int) -> str:
    """``15 min``, ``1 h``, ``90 s``: an interval as the pages show it."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def area_freshness(*, now: datetime | None = None) -> list[AreaFreshness]:
    """For each area: when it last synced in full (:func:`last_success_by_area`), whether that
    is stale (older than three intervals), and whether a run holds its lock now."""
    areas = []
    for age in area_ages(now=now):
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


RUNS_PER_PAGE = 25


@dataclass(frozen=True)
class StatusOverview:
    areas: list[AreaFreshness]
    runs: Page
    group_names: dict[str, str]
    worker: WorkerStatus
    connection: ConnectionInfo


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
    return StatusOverview(
        areas=area_freshness(),
        runs=runs,
        group_names=group_names,
        worker=worker_status(),
        connection=service_connection_info(),
    )


def _duration(run: SyncRun) -> str:
    if run.finished_at is None:
        return ""
    seconds = max(0, int((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"
