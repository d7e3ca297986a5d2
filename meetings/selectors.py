"""Reads of the meetings cache: the querysets and aggregates the meetings pages show.

Every read here is scoped to what the user may see, by :mod:`portal.scoping`:

- Admin: everything.
- Manager: the groups :func:`portal.scoping.visible_group_ids` returns (None = all).
- Organizer: their own meetings only (the organizer whose key is ``user.organizer_key``).

Aggregates are computed by the database (Count/Sum/Avg, TruncDate/TruncWeek, ExtractHour…),
and long lists use keyset pagination on ``(start_time, id)`` — no COUNT(*), no OFFSET — so a
page costs the same number of queries whether the range holds ten meetings or a million.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import (
    ExtractHour,
    Lower,
    TruncDate,
)
from django.db.models.utils import create_namedtuple_class
from django.shortcuts import get_object_or_404
from django.utils import timezone
from pyroaring import BitMap

from accounts.models import Role
from organizers.models import Group, Organizer
from portal.dates import in_supported_range, sql_datetime
from portal.ids import parse_id
from portal.scoping import (
    group_descendant_ids,
    is_admin,
    owned_meetings,
    scoped_instances,
    scoped_live_meetings,
    visible_group_ids,
)
from sync.models import SyncArea
from sync.selectors import last_success_at

from . import rollups
from .models import ATTENDEE_BUCKETS, Attendee, Meeting, MeetingInstance

PAGE_SIZE = 50
# A range longer than this is charted per week instead of per day.
WEEKLY_AFTER_DAYS = 62
TOP_ORGANIZERS = 10
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEAT_LEVELS = 4
ATTENDED_MEETINGS_LIMIT = 100


# --- Keyset pagination ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by ``(moment, pk)``: ``?before=<iso>,<id>``."""

    moment: datetime
    pk: int

    def encode(self) -> str:
        return f"{self.moment.astimezone(UTC).isoformat()},{self.pk}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse ``<iso datetime>,<id>``; ValueError when it is not that."""
        moment_text, sep, pk_text = text.strip().rpartition(",")
        if not sep:
            raise ValueError("no comma")
        moment = datetime.fromisoformat(moment_text.replace(" ", "+"))
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        if not in_supported_range(moment):
            raise ValueError("moment out of range")
        pk = parse_id(pk_text)
        if pk is None:
            raise ValueError("not a row id")
        return cls(moment, pk)


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows and the cursor of the next page (None on the last page)."""

    rows: list
    next_cursor: str | None
    is_first: bool

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    qs: QuerySet,
    *,
    field: str,
    cursor: Cursor | None,
    descending: bool,
    size: int = PAGE_SIZE,
    fetch: Callable[[QuerySet], list] = list,
) -> KeysetPage:
    """The page of ``qs`` after ``cursor`` in ``(field, id)`` order: one query, no COUNT.
    ``fetch`` reads the page's rows from its queryset."""
    if cursor is not None:
        op = "lt" if descending else "gt"
        qs = qs.filter(
            Q(**{f"{field}__{op}": cursor.moment})
            | Q(**{field: cursor.moment, f"pk__{op}": cursor.pk})
        )
    order = (f"-{field}", "-pk") if descending else (field, "pk")
    rows = fetch(qs.order_by(*order)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = Cursor(_dotted(last, field), last.pk).encode()
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=cursor is None)


def _dotted(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


# --- One meeting, one instance ---------------------------------------------------------------


def meeting_for_user(*, user, pk: int, editable: bool = False) -> Meeting:
    """The meeting ``pk`` if ``user`` may act on it, else 404 (others' meetings do not exist)."""
    qs = owned_meetings(user)
    if editable:
        qs = qs.filter(removed_at__isnull=True)
    return get_object_or_404(qs, pk=pk)


def meeting_past_instances(*, meeting: Meeting, limit: int = 20) -> list[MeetingInstance]:
    """The latest held occurrences of ``meeting`` (bounded)."""
    return list(
        MeetingInstance.objects.filter(meeting_id=meeting.meeting_id).order_by(
            "-start_time", "-id"
        )[:limit]
    )


def instance_for_user(*, user, pk: int) -> MeetingInstance:
    """The meeting instance ``pk`` if ``user`` may see it, else 404."""
    qs = scoped_instances(user, include_own=True).select_related("organizer", "group")
    return get_object_or_404(qs, pk=pk)


def instance_version(pk: int) -> tuple | None:
    """What a meeting's attendees page shows changes with: the history sync sets the instance's
    ``synced_at``, the attendee sync its ``attendees_synced_at`` (a version for
    :mod:`portal.page_cache`)."""
    return _instances_row(
        "SELECT {synced_at}, {attendees_synced_at} FROM {table} WHERE {id} = %s", (pk,)
    )


def instance_attendees_page(
    *,
    instance: MeetingInstance,
    cursor: Cursor | None,
    fields: tuple[str, ...],
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """A page of ``instance``'s attendees in join order, keyset on ``(join_time, id)``.

    Each row is a named tuple of ``fields`` (the ones its table shows) with ``pk`` and
    ``join_time`` (the cursor's), not an :class:`Attendee`: the page only reads them. 51 model
    instances (each with its state and the instance it belongs to) made the page's query
    1.1 ms, 0.8 as named tuples (best of 300, bench/page_times.py's data), and left 387
    objects the garbage collector counts alive, 233 as tuples: its collections (0.2–0.4 ms
    each, and a tenth of them 2 ms) came on most attendees pages.
    """
    names = ("pk", "join_time", *(f for f in fields if f not in ("pk", "join_time")))
    return keyset_page(
        instance.attendees.values_list(*names, named=True),
        field="join_time",
        cursor=cursor,
        descending=False,
        size=size,
    )


def instance_attendees_rows(*, instance: MeetingInstance) -> Iterator[Attendee]:
    """All of ``instance``'s attendees for the export, streamed."""
    return instance.attendees.order_by("join_time", "id").iterator(chunk_size=2000)


# --- An organizer's meetings -------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingOwner:
    """Whose meetings a list shows: the signed-in user's, or a cached organizer's."""

    organizer_key: int | None
    organizer: Organizer | None = None

    @classmethod
    def of_user(cls, user) -> MeetingOwner:
        organizer = None
        if user.organizer_key is not None:
            organizer = Organizer.objects.filter(organizer_key=user.organizer_key).first()
        return cls(organizer_key=user.organizer_key, organizer=organizer)

    @classmethod
    def of_organizer(cls, organizer: Organizer) -> MeetingOwner:
        return cls(organizer_key=organizer.organizer_key, organizer=organizer)

    def q(self) -> Q:
        # Two indexed columns of the listed table (no join): the row's copy of the key, or
        # the link to the cached organizer.
        q = Q(pk__in=[])
        if self.organizer_key is not None:
            q |= Q(organizer_key=self.organizer_key)
        if self.organizer is not None:
            q |= Q(organizer_id=self.organizer.pk)
        return q


@dataclass(frozen=True)
class DateWindow:
    """A range of whole days in a time zone; ``end`` is inclusive. None = open."""

    start: date | None
    end: date | None
    tz: tzinfo

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        low = datetime.combine(self.start, time.min, tzinfo=self.tz) if self.start else None
        high = (
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)
            if self.end
            else None
        )
        return low, high

    def apply(self, qs: QuerySet, field: str = "start_time") -> QuerySet:
        low, high = self.bounds()
        if low is not None:
            qs = qs.filter(**{f"{field}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{field}__lt": high})
        return qs


def organizer_scheduled_page(
    *, owner: MeetingOwner, window: DateWindow, cursor: Cursor | None
) -> KeysetPage:
    """The organizer's upcoming (or running) meetings, not removed, soonest first."""
    now = timezone.now()
    qs = Meeting.objects.filter(owner.q(), removed_at__isnull=True).filter(
        Q(end_time__gte=now) | Q(is_live=True)
    )
    return keyset_page(window.apply(qs), field="start_time", cursor=cursor, descending=False)


def organizer_history_page(
    *, owner: MeetingOwner, window: DateWindow, cursor: Cursor | None
) -> KeysetPage:
    """The organizer's held meeting instances, newest first."""
    qs = MeetingInstance.objects.filter(owner.q())
    return keyset_page(window.apply(qs), field="start_time", cursor=cursor, descending=True)


# --- Live now ------------------------------------------------------------------------------------


LIVE_LIMIT = 500


def live_meetings(*, user) -> list[Meeting]:
    """Meetings in progress now (``is_live``, kept fresh by the sync), bounded."""
    qs = (
        scoped_live_meetings(user)
        .filter(is_live=True, removed_at__isnull=True)
        .select_related("organizer", "organizer__group")
        .order_by("start_time", "id")
    )
    return list(qs[:LIVE_LIMIT])


# --- Freshness ------------------------------------------------------------------------------------


def last_sync_at(area: str) -> datetime | None:
    """When ``area`` was last synced in full, or None if never (the rule of the Sync page and
    ``/health/``: :func:`sync.selectors.last_success_by_area`)."""
    return last_success_at(area)


# --- History dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilter:
    """What the dashboard and the attendee reports are filtered by."""

    window: DateWindow
    group: Group | None = None
    organizer: Organizer | None = None

    @property
    def days(self) -> int:
        return (self.window.end - self.window.start).days + 1

    @property
    def by_week(self) -> bool:
        return self.days > WEEKLY_AFTER_DAYS

    @cached_property
    def group_tree(self) -> set[int] | None:
        """The chosen group and its sub-groups (None: no group chosen), read once: the
        dashboard narrows both its rows and its roll-up cells by it."""
        return None if self.group is None else group_descendant_ids({self.group.pk})

    def apply(self, qs: QuerySet[MeetingInstance]) -> QuerySet[MeetingInstance]:
        """``qs`` narrowed to the range, the group (with its sub-groups) and the organizer."""
        qs = self.window.apply(qs)
        if self.group_tree is not None:
            qs = qs.filter(group_id__in=self.group_tree)
        if self.organizer is not None:
            qs = qs.filter(organizer=self.organizer)
        return qs


def history_instances(*, user, filters: HistoryFilter) -> QuerySet[MeetingInstance]:
    """The meeting instances the filters select, within what ``user`` may see."""
    return filters.apply(scoped_instances(user))


@dataclass
class HistoryDashboard:
    kpis: dict
    per_period: list[tuple[date, int]]
    period: str
    distribution: list[tuple[str, int]]
    top_by_meetings: list[dict]
    top_by_minutes: list[dict]
    heatmap: list[dict]
    page: KeysetPage
    synced_at: datetime | None
    oldest_cached: datetime | None
    before_oldest: bool
    chart_data: dict = field(default_factory=dict)


def _bucket_counts() -> dict:
    """One COUNT per attendee bucket (see ATTENDEE_BUCKETS), for an aggregate."""
    return {
        f"bucket_{i}": Count(
            "id",
            filter=Q(num_attendees__gte=low)
            & (Q(num_attendees__lte=high) if high is not None else Q()),
        )
        for i, (_label, low, high) in enumerate(ATTENDEE_BUCKETS)
    }


_BUCKET_NAMES = tuple(f"bucket_{i}" for i in range(len(ATTENDEE_BUCKETS)))


def history_kpis(
    qs: QuerySet[MeetingInstance],
    *,
    totals: dict[str, int] | None = None,
    unique: int | None = None,
) -> dict:
    """Meetings held, attendee-minutes, unique attendees, averages and the attendee histogram.

    From ``totals`` (the sums of :func:`organizer_totals`' figures over every organizer, as
    the dashboard reads them from its roll-ups) or else summed from :func:`organizer_totals`;
    unique attendees (``unique`` if already counted, as the dashboard does from its roll-ups)
    take a query."""
    if totals is None:
        rows = organizer_totals(qs)
        totals = {
            name: sum(row[name] or 0 for row in rows)
            for name in ("meetings", "minutes", "attendees", "duration", *_BUCKET_NAMES)
        }

    def total(name: str) -> int:
        return totals[name] or 0

    meetings = total("meetings")
    if unique is None:
        # COUNT(*) over SELECT DISTINCT (a hash aggregate, parallel on PostgreSQL), not
        # COUNT(DISTINCT …), which sorts every row: 3× faster at 1M attendee rows (bench/).
        unique = (
            Attendee.objects.filter(instance__in=qs.order_by().values("pk"))
            .exclude(email="")
            .annotate(key=Lower("email"))
            .order_by()
            .values("key")
            .distinct()
            .count()
        )
    return {
        "meetings": meetings,
        "attendee_minutes": total("minutes"),
        "unique_attendees": unique or 0,
        "avg_attendees": round(total("attendees") / meetings, 1) if meetings else 0,
        "avg_duration": round(total("duration") / meetings, 1) if meetings else 0,
        "distribution": [
            (label, total(f"bucket_{i}")) for i, (label, _l, _h) in enumerate(ATTENDEE_BUCKETS)
        ],
    }


def meetings_by_local_hour(qs: QuerySet[MeetingInstance], *, tz: tzinfo) -> dict:
    """Meetings started per (local date, local hour) in ``tz``: one GROUP BY that the
    per-period chart and the heat map are both summed from (at most 24 rows a day)."""
    counts: dict[tuple[date, int], int] = {}
    for day, hour, n in (
        qs.order_by()
        .annotate(day=TruncDate("start_time", tzinfo=tz), hour=ExtractHour("start_time", tzinfo=tz))
        .values("day", "hour")
        .annotate(n=Count("id"))
        .values_list("day", "hour", "n")
    ):
        day = day.date() if isinstance(day, datetime) else day
        counts[(day, hour)] = counts.get((day, hour), 0) + n
    return counts


def meetings_per_period(
    by_hour: rollups.LocalHours, *, filters: HistoryFilter
) -> list[tuple[date, int]]:
    """Meetings per day (or per week, Monday first, for long ranges), gaps filled with 0;
    from the dashboard's :class:`~meetings.rollups.LocalHours` of the filters' range."""
    start = filters.window.start
    per_day = by_hour.per_day()
    if not filters.by_week:
        return [(start + timedelta(days=i), n) for i, n in enumerate(per_day.tolist())]
    monday = start - timedelta(days=start.weekday())
    weeks = np.pad(per_day, (start.weekday(), -(start.weekday() + len(per_day)) % 7))
    return [
        (monday + timedelta(weeks=i), n)
        for i, n in enumerate(weeks.reshape(-1, 7).sum(axis=1).tolist())
    ]


def organizer_totals(qs: QuerySet[MeetingInstance]) -> list[dict]:
    """Meetings, attendee-minutes, attendees, minutes held and attendee buckets of each
    organizer in ``qs``: one GROUP BY that the key figures and both top lists are summed from
    (one row per organizer, so bounded by the account's organizers)."""
    return list(
        qs.order_by()
        .values(
            "organizer_id",
            "organizer__first_name",
            "organizer__last_name",
            "organizer__email",
        )
        .annotate(
            meetings=Count("id"),
            minutes=Sum("attendee_minutes"),
            attendees=Sum("num_attendees"),
            duration=Sum("duration_minutes"),
            **_bucket_counts(),
        )
    )


def _ranked(totals: list[dict], measure: str) -> list[dict]:
    """The top organizers by ``measure`` (:func:`rollups.top_order`)."""
    return sorted(totals, key=rollups.top_order(measure))[:TOP_ORGANIZERS]


def _top_row(organizer_id, meetings, minutes, first_name, last_name, email) -> dict:
    name = f"{first_name or ''} {last_name or ''}".strip()
    return {
        "organizer_id": organizer_id,
        "name": name or email or "(unknown organizer)",
        "meetings": meetings,
        "minutes": minutes or 0,
    }


def top_organizers(qs: QuerySet[MeetingInstance], *, by: str) -> list[dict]:
    """The organizers of ``qs`` with the most meetings (``by="meetings"``) or attendee-minutes,
    from the raw rows; ties in organizer order. (The dashboard reads the same lists from its
    roll-ups: :func:`meetings.rollups.rollup_top_organizers`.)"""
    rows = _ranked(organizer_totals(qs), "meetings" if by == "meetings" else "minutes")
    return [
        _top_row(
            row["organizer_id"],
            row["meetings"],
            row["minutes"],
            row["organizer__first_name"],
            row["organizer__last_name"],
            row["organizer__email"],
        )
        for row in rows
    ]


def busiest_hours(by_hour: rollups.LocalHours) -> list[dict]:
    """A 7×24 grid (Monday first) of meetings started per weekday and hour, with a heat level
    0–4 for the cell's share of the busiest cell; from the dashboard's
    :class:`~meetings.rollups.LocalHours`."""
    counts = by_hour.counts
    lead = by_hour.start.weekday()
    padded = np.pad(counts, ((lead, -(lead + len(counts)) % 7), (0, 0)))
    week = padded.reshape(-1, 7, 24).sum(axis=0).tolist()
    busiest = max(max(row) for row in week)
    grid = []
    for weekday, row in enumerate(week):
        cells = [
            {
                "hour": hour,
                "count": n,
                "level": math.ceil(HEAT_LEVELS * n / busiest) if busiest and n else 0,
            }
            for hour, n in enumerate(row)
        ]
        grid.append({"day": WEEKDAYS[weekday], "cells": cells})
    return grid


def history_table_page(
    qs: QuerySet[MeetingInstance], *, cursor: Cursor | None, fields: tuple[str, ...]
) -> KeysetPage:
    """A page of the dashboard's table, newest first, keyset on ``(start_time, id)``.

    Each row is a named tuple of ``fields`` (the ones its table shows: its declaration's
    ``reads``, which may name the organizer's and the group's, ``organizer__email``) with
    ``pk`` and ``start_time`` (the cursor's), not a :class:`MeetingInstance` with its organizer
    and group: the page only reads them. 51 instances with their organizer and group made the
    page's query 2.4–2.5 ms, 1.3 as named tuples (best of 300, bench/page_times.py's data), and
    left 402 objects the garbage collector counts alive, 52 as tuples. On PostgreSQL the rows
    are read in the binary format (:func:`_binary_rows`): reading them took 0.8 ms of the
    process, 0.3 so (best of 300).
    """
    names = ("pk", "start_time", *(f for f in fields if f not in ("pk", "start_time")))
    return keyset_page(
        qs.values_list(*names, named=True),
        field="start_time",
        cursor=cursor,
        descending=True,
        fetch=_binary_rows(names),
    )


def _binary_rows(names: tuple[str, ...]) -> Callable[[QuerySet], list]:
    """What reads a ``values_list(*names, named=True)`` as its named tuples: on PostgreSQL its
    statement run as :func:`meetings.rollups.fetch_rows` runs the roll-ups' (binary results: no
    timestamp parsed from text, no Django cursor wrapper per row), elsewhere the queryset."""
    if connection.vendor != "postgresql":
        return list
    row = create_namedtuple_class(*names)

    def fetch(qs: QuerySet) -> list:
        try:
            sql, params = qs.query.sql_with_params()
        except EmptyResultSet:  # a scope that selects nothing
            return []
        return [row(*values) for values in rollups.fetch_rows(sql, list(params))]

    return fetch


def instances_version() -> dict:
    """The instances' version: a new row raises the highest id, a synced window the latest
    ``synced_at``, a synced attendee list the latest ``attendees_synced_at`` (each MAX() read
    from its index); with the oldest start the dashboard shows (also from an index).

    Every warm view of the dashboard reads it, so it is one statement written out: building it
    with ``aggregate()`` took four times as long as PostgreSQL took to answer (bench/)."""
    row = _instances_row(
        "SELECT MAX({id}), MAX({synced_at}), MAX({attendees_synced_at}), MIN({start_time}) "
        "FROM {table}"
    )
    last_id, last_synced, last_attendees, oldest = row
    return {
        "last_id": last_id,
        "last_synced": last_synced,
        "last_attendees": last_attendees,
        "oldest": sql_datetime(oldest),
    }


def _instances_row(sql: str, params: tuple = ()) -> tuple:
    """Run ``sql`` on the instances' table ({table} and {column} names filled in, quoted)."""
    meta, quote = MeetingInstance._meta, connection.ops.quote_name
    names = {f.name: quote(f.column) for f in meta.concrete_fields}
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=quote(meta.db_table), **names), params)
        return cursor.fetchone()


def dashboard_cache_key(
    *,
    user,
    filters: HistoryFilter,
    cursor: Cursor | None,
    version: dict,
) -> str:
    """What a dashboard depends on: the user's scope, the filters, the page, and the
    instances' :func:`instances_version`. Any change of one gives another key."""
    ids = visible_group_ids(user)  # the dashboard shows the same to every user of the same scope
    parts = (
        "all" if ids is None else ",".join(map(str, sorted(ids))),
        filters.window.start,
        filters.window.end,
        filters.window.tz,
        filters.group.pk if filters.group is not None else "",
        filters.organizer.pk if filters.organizer is not None else "",
        cursor.encode() if cursor is not None else "",
        *(version[name] for name in sorted(version)),
    )
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"meetings:dashboard:{digest}"


@dataclass(frozen=True)
class DashboardFigures:
    """What every figure, chart and top list of the dashboard is summed from."""

    by_hour: rollups.LocalHours  # its items() as meetings_by_local_hour's
    totals: dict[str, int]  # organizer_totals' figures summed over every organizer
    top_by_meetings: list[dict]  # as top_organizers(by="meetings")
    top_by_minutes: list[dict]
    unique: int


def _cell_groups(user, filters: HistoryFilter) -> tuple[bool, set[int] | None]:
    """Whether the roll-ups can answer for ``user`` (their cells are per group, so they serve
    Admins and Managers, whose scope is groups), and the groups to read (None: all)."""
    if is_admin(user):
        ids = None
    elif user.role == Role.MANAGER:
        ids = visible_group_ids(user)
    else:
        return False, None
    if filters.group_tree is not None:
        tree = filters.group_tree
        ids = set(tree) if ids is None else set(ids) & set(tree)
    return True, ids


def _rollup_scope(
    user, filters: HistoryFilter
) -> tuple[rollups.RollupRange, set[int] | None, int | None]:
    """The whole UTC days the roll-ups answer for (none when they cannot serve ``user``), the
    groups and the organizer to read."""
    usable, group_ids = _cell_groups(user, filters)
    low, high = filters.window.bounds()
    days = rollups.RollupRange.inside(low, high) if usable else rollups.RollupRange(None, None)
    organizer_id = filters.organizer.pk if filters.organizer is not None else None
    return days, group_ids, organizer_id


def attendee_report_people(*, user, filters: HistoryFilter) -> int:
    """How many people the attendee report lists (one per lower-cased email): the union of the
    roll-ups' sets of people, plus the raw rows at the range's edges, as the dashboard's
    unique attendees, so both pages give the same number without a GROUP BY over the range."""
    days, group_ids, organizer_id = _rollup_scope(user, filters)
    edges = history_instances(user=user, filters=filters).filter(days.edges())
    _slots, people, _totals = rollups.rollup_slots_and_people(
        days=days, group_ids=group_ids, organizer_id=organizer_id
    )
    return len(people | rollups.people_of_instances(edges))


def dashboard_figures(
    *, user, filters: HistoryFilter, qs: QuerySet[MeetingInstance]
) -> DashboardFigures:
    """The dashboard's counts: the whole UTC days of the range from the roll-ups
    (:mod:`meetings.rollups`), the partial UTC days at its edges (the viewer's midnight is
    not UTC's) from the rows of ``qs`` (:func:`history_instances` of the same filters)."""
    days, group_ids, organizer_id = _rollup_scope(user, filters)
    # No raw rows when the range is whole UTC days (a viewer in UTC): no query for them.
    edges = None if days.exact else qs.filter(days.edges())
    slots, people, totals = rollups.rollup_slots_and_people(
        days=days, group_ids=group_ids, organizer_id=organizer_id
    )
    by_hour = rollups.local_hours(
        slots, tz=filters.window.tz, start=filters.window.start, days=filters.days
    )
    edge_hours, edge_totals, edge_people = (
        rollups.raw_figures(edges, tz=filters.window.tz)
        if edges is not None
        else ({}, dict.fromkeys(totals, 0), BitMap())
    )
    for (day, hour), n in edge_hours.items():
        by_hour.add(day, hour, n)
    top = rollups.rollup_top_organizers(
        days=days,
        group_ids=group_ids,
        organizer_id=organizer_id,
        edges=edges,
        limit=TOP_ORGANIZERS,
    )
    return DashboardFigures(
        by_hour=by_hour,
        totals={name: totals[name] + edge_totals[name] for name in totals},
        top_by_meetings=[_top_row(**row) for row in top["meetings"]],
        top_by_minutes=[_top_row(**row) for row in top["minutes"]],
        unique=len(people | edge_people),
    )


@dataclass(frozen=True)
class DashboardSummary:
    """The dashboard's figures for some filters, before its table page and heat map: what
    the dashboard and the e-mail digests (:mod:`digests.selectors`) both show."""

    qs: QuerySet[MeetingInstance]  # history_instances of the filters
    figures: DashboardFigures
    kpis: dict
    per_period: list[tuple[date, int]]


def dashboard_summary(*, user, filters: HistoryFilter) -> DashboardSummary:
    qs = history_instances(user=user, filters=filters)
    figures = dashboard_figures(user=user, filters=filters, qs=qs)
    return DashboardSummary(
        qs=qs,
        figures=figures,
        kpis=history_kpis(qs, totals=figures.totals, unique=figures.unique),
        per_period=meetings_per_period(figures.by_hour, filters=filters),
    )


def history_dashboard(
    *,
    user,
    filters: HistoryFilter,
    cursor: Cursor | None,
    oldest: datetime | None = None,
    table_fields: tuple[str, ...] = (),
) -> HistoryDashboard:
    """Everything the history dashboard shows, in a fixed number of queries. ``oldest``: the
    oldest cached start, if already read (``instances_version()["oldest"]``); ``table_fields``:
    the fields of the table's rows besides ``pk`` and ``start_time`` (its declaration's
    ``reads``: :func:`history_table_page`)."""
    if oldest is None:
        oldest = instances_version()["oldest"]
    summary = dashboard_summary(user=user, filters=filters)
    qs, figures, kpis, per_period = summary.qs, summary.figures, summary.kpis, summary.per_period
    by_hour = figures.by_hour
    by_meetings = figures.top_by_meetings
    by_minutes = figures.top_by_minutes
    heatmap = busiest_hours(by_hour)
    page = history_table_page(qs, cursor=cursor, fields=table_fields)
    synced_at = last_sync_at(SyncArea.HISTORY)
    oldest_day = timezone.localtime(oldest, filters.window.tz).date() if oldest else None
    before_oldest = oldest_day is not None and filters.window.start < oldest_day
    period = "week" if filters.by_week else "day"
    label = "Week of {:%Y-%m-%d}" if filters.by_week else "{:%Y-%m-%d}"
    chart_data = {
        "period": {
            "label": f"Meetings per {period}",
            "labels": [label.format(d) for d, _n in per_period],
            "values": [n for _d, n in per_period],
        },
        "distribution": {
            "labels": [label for label, _n in kpis["distribution"]],
            "values": [n for _label, n in kpis["distribution"]],
        },
        "top_meetings": {
            "labels": [row["name"] for row in by_meetings],
            "values": [row["meetings"] for row in by_meetings],
        },
        "top_minutes": {
            "labels": [row["name"] for row in by_minutes],
            "values": [row["minutes"] for row in by_minutes],
        },
    }
    return HistoryDashboard(
        kpis=kpis,
        per_period=per_period,
        period=period,
        distribution=kpis["distribution"],
        top_by_meetings=by_meetings,
        top_by_minutes=by_minutes,
        heatmap=heatmap,
        page=page,
        synced_at=synced_at,
        oldest_cached=oldest,
        before_oldest=before_oldest,
        chart_data=chart_data,
    )


def history_export_rows(*, user, filters: HistoryFilter) -> Iterator[MeetingInstance]:
    """Every meeting the filters show, newest first, streamed for the export."""
    qs = history_instances(user=user, filters=filters).order_by("-start_time", "-id")
    return qs.select_related("organizer", "group").iterator(chunk_size=2000)


def history_attendee_export_rows(*, user, filters: HistoryFilter) -> Iterator[Attendee]:
    """Every attendee stay in the meetings the filters show, streamed for the export."""
    instances = history_instances(user=user, filters=filters).order_by().values("pk")
    return (
        Attendee.objects.filter(instance__in=instances)
        .select_related("instance")
        .only(
            "name",
            "email",
            "join_time",
            "leave_time",
            "duration_minutes",
            "instance__instance_key",
            "instance__subject",
            "instance__start_time",
        )
        .order_by("instance__start_time", "instance_id", "join_time", "id")
        .iterator(chunk_size=2000)
    )


# --- Attendee reports ---------------------------------------------------------------------------


def _attendee_report_qs(*, user, filters: HistoryFilter) -> QuerySet:
    instances = history_instances(user=user, filters=filters).order_by().values("pk")
    return (
        Attendee.objects.filter(instance__in=instances)
        .exclude(email="")
        .annotate(key=Lower("email"))
    )


def _grouped(qs: QuerySet) -> QuerySet:
    return (
        qs.values("key")
        .annotate(
            name=Max("name"),
            meetings=Count("instance_id", distinct=True),
            minutes=Sum("duration_minutes"),
            first_seen=Min("join_time"),
            last_seen=Max("join_time"),
        )
        .order_by("key")
    )


@dataclass(frozen=True)
class EmailPage:
    rows: list[dict]
    next_after: str | None
    is_first: bool


def attendee_report_page(
    *, user, filters: HistoryFilter, after: str | None, size: int = PAGE_SIZE
) -> EmailPage:
    """Attendees deduplicated by email (GROUP BY lower(email)) with meetings attended and
    minutes, keyset-paginated on the email."""
    qs = _attendee_report_qs(user=user, filters=filters)
    if after:
        qs = qs.filter(key__gt=after.lower())
    rows = list(_grouped(qs)[: size + 1])
    next_after = None
    if len(rows) > size:
        rows = rows[:size]
        next_after = rows[-1]["key"]
    return EmailPage(rows=rows, next_after=next_after, is_first=not after)


def attendee_report_export_rows(*, user, filters: HistoryFilter) -> Iterator[dict]:
    """The report's rows (as :func:`attendee_report_page`'s), every one, streamed."""
    return _grouped(_attendee_report_qs(user=user, filters=filters)).iterator(chunk_size=2000)


def attendee_meetings(
    *, user, filters: HistoryFilter, email: str, limit: int = ATTENDED_MEETINGS_LIMIT
) -> list[Attendee]:
    """The stays of ``email`` in the meetings the filters show, newest first (bounded)."""
    instances = history_instances(user=user, filters=filters).order_by().values("pk")
    return list(
        Attendee.objects.filter(instance__in=instances)
        .annotate(key=Lower("email"))
        .filter(key=email.strip().lower())
        .select_related("instance", "instance__organizer")
        .order_by(F("instance__start_time").desc(), "-id")[:limit]
    )
