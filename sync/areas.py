"""The registry of sync areas: for each area, what fills it and what it costs.

One entry per :class:`~sync.models.SyncArea` says which service runs it (``manage.py sync``),
which Celery task (beat and "Refresh now"), how often (the cadence setting), which area keeps
its cadence first when the API budget is short (``priority``), and how many API calls a run
costs. The sync command, the Sync status page, ``/health/`` and "Refresh now" all read this
table instead of each keeping its own list of areas, so an area added here appears everywhere
and one missing here is a test failure (``tests/sync/test_sync_areas.py``).

Costs are the calls of one routine run as the services make them today (GoTo answers
group-scoped calls only for groups of at most 50 organizers; a bigger group costs one call per
organizer). Asking everyone each run, a live pass of the demo account's 98 organizers measured
67–73 calls (issue 13); the live, scheduled and history passes now ask only where data can
change (:mod:`sync.activity`), plus a slowly rotating sweep of everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q

from organizers.models import Group

from . import activity
from .models import SyncArea, SyncRun
from .services.attendees import attendees_sync
from .services.groups import GROUP_SCOPED_MAX_ORGANIZERS
from .services.history import history_sync
from .services.live import live_sync
from .services.organizers import organizers_sync
from .services.scheduled import scheduled_sync

if TYPE_CHECKING:
    from celery import Task

    from gotomeeting import GoToMeetingClient

    from .services.runs import Progress


@dataclass(frozen=True)
class AccountShape:
    """What a run's cost depends on: how the account's organizers fall into groups."""

    small_groups: int = 0  # groups GoTo answers with one group-scoped call
    big_group_organizers: int = 0  # organizers of groups over 50: one call each

    @property
    def calls_per_group_pass(self) -> int:
        """Calls to ask every group once (one call per small group, one per big group's
        organizer)."""
        return self.small_groups + self.big_group_organizers


def account_shape() -> AccountShape:
    """The shape of the cached account, counted as the services decide (one query): a group is
    asked per organizer when GoTo or the cache counts more than 50 organizers in it, and then
    only its organizers with a key are asked."""
    active = Q(organizers__deleted_at__isnull=True)
    groups = Group.objects.annotate(
        members=Count("organizers", filter=active),
        askable=Count("organizers", filter=active & Q(organizers__organizer_key__isnull=False)),
    ).values_list("num_organizers", "members", "askable")
    small, big = 0, 0
    for num_organizers, members, askable in groups:
        if max(num_organizers, members) > GROUP_SCOPED_MAX_ORGANIZERS:
            big += askable
        else:
            small += 1
    return AccountShape(small_groups=small, big_group_organizers=big)


@dataclass(frozen=True)
class Area:
    """One sync area and everything the portal needs to run, schedule and show it."""

    area: SyncArea
    service: Callable[..., SyncRun]
    # The name the task is registered (and queued, scheduled and routed) under; the task is
    # looked up by it, so the registry does not import sync.tasks (whose runs read the
    # cadences, which read this registry).
    task_name: str
    cadence_setting: str
    # Lower runs at its cadence longer: when the API budget cannot carry every cadence, the
    # highest numbers stretch first (sync.cadence). Live and scheduled meetings are what people
    # look at "now" and go wrong in minutes; organizers change rarely and the portal's own
    # writes update the cache at once; history serves dashboards over weeks, where an hour late
    # costs little; attendees are the drill-down of history, whose own run fetches those of
    # the meetings it finds.
    priority: int
    cost: str  # the calls of one routine run, in words (shown to Admins)
    calls_per_run: Callable[[AccountShape], int]
    # A setting read when ``cadence_setting`` is not set (attendees follow the history).
    cadence_fallback: str = ""
    # Arguments of the service in ``manage.py sync`` (the attendees command fetches them all).
    command_options: Mapping[str, Any] = field(default_factory=dict)
    takes_since: bool = False  # ``manage.py sync --since`` applies
    # Synced per group too (runs keyed by group): fresh only as far as every group is.
    per_group: bool = False

    @property
    def key(self) -> str:
        return self.area.value

    @property
    def label(self) -> str:
        return self.area.label

    @property
    def task(self) -> Task:
        """The Celery task of the area (registered by ``sync.tasks`` under :attr:`task_name`)."""
        from celery import current_app

        return current_app.tasks[self.task_name]

    @property
    def interval(self) -> timedelta:
        """How often beat runs the area (``settings.<cadence_setting>``)."""
        seconds = getattr(settings, self.cadence_setting, None)
        if seconds is None and self.cadence_fallback:
            seconds = getattr(settings, self.cadence_fallback)
        return timedelta(seconds=int(seconds))

    def calls_per_hour(self, shape: AccountShape) -> float:
        """The calls an hour the area costs at its cadence."""
        return self.calls_per_run(shape) * 3600 / self.interval.total_seconds()

    def run_in_foreground(
        self,
        *,
        client: GoToMeetingClient,
        triggered_by: str,
        progress: Progress | None = None,
        since: Any = None,
    ) -> SyncRun:
        """Run the area's service in this process (``manage.py sync``)."""
        arguments = dict(self.command_options)
        if self.takes_since:
            arguments["since"] = since
        return self.service(
            client=client, triggered_by=triggered_by, progress=progress, **arguments
        )


def _history_calls_per_run(shape: AccountShape) -> int:
    """A routine history run: a history and an attendees call per small group, and for the
    organizers of bigger groups the same once per ``SYNC_HISTORY_SWEEP_SECONDS``, spread over
    the runs in between (which ask only organizers who can have held a meeting)."""
    every = int(getattr(settings, "SYNC_HISTORY_EVERY_SECONDS", 15 * 60))
    sweep = max(every, int(getattr(settings, "SYNC_HISTORY_SWEEP_SECONDS", 3 * 60 * 60)))
    return 2 * shape.small_groups + -(-2 * shape.big_group_organizers * every // sweep)


# In the order a full ``manage.py sync`` runs them (each needs the organizers first) and the
# Sync status page and /health/ list them.
AREAS: tuple[Area, ...] = (
    Area(
        area=SyncArea.ORGANIZERS,
        service=organizers_sync,
        task_name="organizers.sync_organizers",
        cadence_setting="SYNC_ORGANIZERS_EVERY_SECONDS",
        priority=3,
        cost="2 calls: every group, every organizer",
        calls_per_run=lambda shape: 2,
    ),
    Area(
        area=SyncArea.HISTORY,
        service=history_sync,
        task_name="meetings.sync_history",
        cadence_setting="SYNC_HISTORY_EVERY_SECONDS",
        priority=4,
        cost=(
            "per group and window since its cursor: 1 call for its history and 1 for its "
            "attendees; in groups over 50, per organizer who can have held a meeting, and "
            "every SYNC_HISTORY_SWEEP_SECONDS per organizer"
        ),
        calls_per_run=lambda shape: _history_calls_per_run(shape),
        takes_since=True,
        per_group=True,
    ),
    Area(
        area=SyncArea.ATTENDEES,
        service=attendees_sync,
        task_name="meetings.sync_attendees",
        cadence_setting="SYNC_ATTENDEES_EVERY_SECONDS",
        cadence_fallback="SYNC_HISTORY_EVERY_SECONDS",
        priority=5,
        cost=(
            "catch-up only (the history brings attendees): per group window left, "
            "then 1 call per meeting left, at most SYNC_ATTENDEES_PER_RUN"
        ),
        calls_per_run=lambda shape: 0,
        command_options={"limit": 0},
    ),
    Area(
        area=SyncArea.SCHEDULED,
        service=scheduled_sync,
        task_name="meetings.sync_scheduled",
        cadence_setting="SYNC_SCHEDULED_EVERY_SECONDS",
        priority=2,
        cost=(
            "1 call per group of at most 50 organizers (organizers of bigger groups: the live "
            "sweep asks them; 1 call each while it is not running)"
        ),
        calls_per_run=lambda shape: shape.small_groups,
    ),
    Area(
        area=SyncArea.LIVE,
        service=live_sync,
        task_name="meetings.sync_live",
        cadence_setting="SYNC_LIVE_EVERY_SECONDS",
        priority=1,
        cost=(
            "a slice of the sweep (each group, each organizer of groups over 50, once per "
            "SYNC_LIVE_SWEEP_SECONDS), and 1 call per group (per organizer over 50) with a "
            "meeting due to start; every 5 minutes also with a live meeting or a recent host"
        ),
        calls_per_run=lambda shape: -(-shape.calls_per_group_pass // activity.sweep_slices()),
    ),
)

_BY_AREA = {entry.area: entry for entry in AREAS}


def area_entry(area: str) -> Area:
    """The registry entry of ``area`` (a SyncArea or its value); ValueError if unknown."""
    return _BY_AREA[SyncArea(area)]


def by_priority() -> list[Area]:
    """The areas in the order they keep their cadence when the budget is short."""
    return sorted(AREAS, key=lambda entry: entry.priority)
