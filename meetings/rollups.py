"""Roll-ups of the meeting history: what the history dashboard shows, summed once per
organizer, group and UTC day, so a cold dashboard merges cells instead of scanning rows.

Decisions (issue 14), and why:

- **Cells.** :class:`~meetings.models.OrganizerDay` per (organizer, the instance's own group,
  UTC day of its start), and :class:`~meetings.models.GroupDay` per (group, UTC day), the union
  of the former, so a year of the whole account reads one row per group and day. Each holds
  meetings, minutes held, attendees (the history's count), attendee-minutes, the
  attendees-per-meeting buckets, meetings started per quarter-hour of the UTC day and the set
  of people who attended. Two monthly levels, because a year of 5,000 organizers is ~1M
  OrganizerDay rows (1.6 s to sum) and 20 MB of GroupDay sets (0.2 s to fetch):
  :class:`~meetings.models.OrganizerMonth` (sums) and :class:`~meetings.models.GroupMonth`
  (sets of people); a range reads its whole months from them and the days around them from
  the day cells. The top lists read neither month level: sums subtract, so
  :class:`~meetings.models.OrganizerRunning` keeps each organizer's running totals by month,
  and any range is the totals up to its last day less those up to the day before its first:
  two rows per organizer, however long the range (a year of 5,000 organizers read 60,000
  month rows, 23 ms at 10M attendee rows; now 10,000, 5 ms). And the whole account's own level,
  :class:`~meetings.models.AccountDay` (the union of a day's GroupDay cells) and
  :class:`~meetings.models.AccountMonth` (sets of people), so the whole-account view (an
  Admin's default) reads one row per day and one set per month however many groups there are.
- **Unique attendees are exact**: a Roaring bitmap (``pyroaring``) of :class:`Person` ids (one
  per lower-cased email, lower-cased by the database as the raw count does) per cell, unioned
  at view time. Measured at 10M attendee rows (200,000 people), a year of the whole account:
  fetching, reading and unioning its 156 GroupMonth sets and the days around them takes tens
  of milliseconds; the dashboard's remaining time is elsewhere (README Performance). An HLL
  sketch would save little of it and cost the "≈" and an error bound on the page: no sketch.
- **A viewer's day is not a UTC day.** The whole UTC days inside the viewer's range come from
  cells; the partial UTC days at both edges from the raw rows (at most two days of them). The
  quarter-hour slots are moved into the viewer's zone each by its own offset (whole days at a
  time between two changes of it), so DST changes and half- or quarter-hour zones
  (Asia/Kolkata, Asia/Kathmandu) are exact (:func:`local_hours`).
- **Kept by the sync in the same transaction as the rows** (:func:`rollups_kept` around each
  place that writes instances or attendees): the cells an instance was in before and is in
  after are recomputed from the raw rows (delete + insert), then their groups' cells (from
  the organizer cells just summed, in memory, and the group's other cells, read). So a
  re-synced instance whose attendees changed, one moved to another organizer or group, and a
  deleted organizer (whose history stays, and so do its cells) all come out as the rows say.
- :func:`rollups_rebuild` restores every cell from the rows, a few days per transaction, with
  a cursor in the database (``manage.py rollups_rebuild``; the migration calls it too), then
  refreshes the planner's statistics of the cells (PostgreSQL).
- **Reading them costs the same whatever the account's size** as far as we could make it
  (issue 14's speed targets): the slots, the people and the key figures' sums in one statement
  (binary on PostgreSQL), summed and moved into the viewer's zone as NumPy arrays; the top
  organizers ranked by the database from the running totals, ten rows each, their names
  joined to those rows alone. Nothing of the data is cached between requests: a cold
  dashboard computes everything from the cells (only each time zone's offsets, a year at a
  time, are kept by the process: :func:`local_hours`).
"""

from __future__ import annotations

import functools
import logging
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from operator import add

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from pyroaring import BitMap

from organizers.models import Organizer
from portal.bulk import analyze_if_grown, any_of
from portal.dates import sql_date, sql_datetime

from .models import (
    ATTENDEE_BUCKETS,
    AccountDay,
    AccountMonth,
    Attendee,
    GroupDay,
    GroupMonth,
    MeetingInstance,
    OrganizerDay,
    OrganizerMonth,
    OrganizerRunning,
    Person,
    RollupCursor,
)

logger = logging.getLogger(__name__)

SLOT_MINUTES = 15
SLOTS = 24 * 60 // SLOT_MINUTES
_CHUNK = 500
_SCALARS = ("meetings", "duration", "attendees", "attendee_minutes")
_BUCKETS = tuple(f"bucket_{i}" for i in range(len(ATTENDEE_BUCKETS)))

# (organizer id, group id, UTC day): the key of an OrganizerDay cell.
Cell = tuple[int | None, int | None, date]


def _bucket(num_attendees: int) -> int:
    for i, (_label, low, high) in enumerate(ATTENDEE_BUCKETS):
        if num_attendees >= low and (high is None or num_attendees <= high):
            return i
    return len(ATTENDEE_BUCKETS) - 1


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class Figures:
    """The content of one cell while it is summed (see :class:`meetings.models._DayCell`)."""

    meetings: int = 0
    duration: int = 0
    attendees: int = 0
    attendee_minutes: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * len(ATTENDEE_BUCKETS))
    slots: array = field(default_factory=lambda: array("I", bytes(4 * SLOTS)))
    people: BitMap = field(default_factory=BitMap)

    def add_instance(
        self, start: datetime, duration: int, num_attendees: int, minutes: int, people
    ) -> None:
        start = _utc(start)
        self.meetings += 1
        self.duration += duration or 0
        self.attendees += num_attendees or 0
        self.attendee_minutes += minutes or 0
        self.buckets[_bucket(num_attendees or 0)] += 1
        self.slots[(start.hour * 60 + start.minute) // SLOT_MINUTES] += 1
        if people:
            self.people.update(people)

    def merge(self, row: dict) -> None:
        """Add a cell read from the database (``values()`` of a cell)."""
        for name in _SCALARS:
            setattr(self, name, getattr(self, name) + row[name])
        for i, name in enumerate(_BUCKETS):
            self.buckets[i] += row[name]
        slots = array("I")
        slots.frombytes(bytes(row["slots"]))
        self.slots = array("I", map(add, self.slots, slots))
        self.people |= BitMap.deserialize(bytes(row["people"]))

    def add_cell(self, other: Figures) -> None:
        """Add a cell summed in memory."""
        for name in _SCALARS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.buckets = list(map(add, self.buckets, other.buckets))
        self.slots = array("I", map(add, self.slots, other.slots))
        self.people |= other.people

    def fields(self) -> dict:
        return {
            **{name: getattr(self, name) for name in _SCALARS},
            **dict(zip(_BUCKETS, self.buckets, strict=True)),
            "slots": self.slots.tobytes(),
            "people": self.people.serialize(),
        }


# --- Keeping them (the sync) ---------------------------------------------------------------------


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(column: str, values: Iterable) -> Q:
    """``column IN values``, NULL included when None is one of them."""
    values = set(values)
    q = Q(**{f"{column}__in": [v for v in values if v is not None]})
    return q | Q(**{f"{column}__isnull": True}) if None in values else q


def rollup_cells_of(
    *, instance_ids: Iterable[int] = (), instance_keys: Iterable[int] = ()
) -> set[Cell]:
    """The OrganizerDay cells the given instances are in now."""
    cells: set[Cell] = set()
    for name, values in (("pk", instance_ids), ("instance_key", instance_keys)):
        for chunk in _chunks(list(set(values))):
            for organizer_id, group_id, start in MeetingInstance.objects.filter(
                any_of(MeetingInstance, name, chunk)
            ).values_list("organizer_id", "group_id", "start_time"):
                cells.add((organizer_id, group_id, _utc(start).date()))
    return cells


@contextmanager
def rollups_kept(*, instance_ids: Iterable[int] = (), instance_keys: Iterable[int] = ()):
    """Around a write of these instances or their attendees (inside its transaction): the
    cells they were in before and are in after are recomputed from the rows when it ends."""
    ids, keys = list(instance_ids), list(instance_keys)
    before = rollup_cells_of(instance_ids=ids, instance_keys=keys)
    yield
    after = rollup_cells_of(instance_ids=ids, instance_keys=keys)
    _one_writer_at_a_time()
    # The rows just written, and the cells read next: statistics for the next writes' plans.
    analyze_if_grown(MeetingInstance, Attendee, Person, OrganizerDay, GroupDay, AccountDay)
    cells = before | after
    if cells:  # the lock is held already
        _recompute_cells(cells)


# Any constant the rest of the portal does not use as an advisory lock key.
_ROLLUP_LOCK_KEY = 1_401_140_014


def _one_writer_at_a_time() -> None:
    """Hold, until the transaction ends, the one lock every roll-up write takes (PostgreSQL).

    A cell is recomputed by deleting and inserting its rows, and the tables have no unique key:
    two sync runs recomputing the same organizer-month at once (the history and the attendees
    pass, say) would each insert, doubling the dashboard's figures. Taken after the rows are
    written and before the cells are, the lock makes each recompute read the rows the other
    committed; SQLite already writes one transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ROLLUP_LOCK_KEY])


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "person": quote(Person._meta.db_table),
        "attendee": quote(Attendee._meta.db_table),
        "instance": quote(MeetingInstance._meta.db_table),
    }


def _add_people(instance_ids: list[int]) -> None:
    """Give every attendee email of these instances a :class:`Person` id (lower-cased by the
    database, as the raw count of unique attendees does)."""
    for chunk in _chunks(instance_ids):
        marks = ", ".join(["%s"] * len(chunk))
        _add_people_where(f"a.instance_id IN ({marks})", chunk)


def _add_people_where(where: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {person} (email) SELECT DISTINCT LOWER(a.email) FROM {attendee} a "  # noqa: S608
            "WHERE a.email <> '' AND {where} ON CONFLICT (email) DO NOTHING".format(
                where=where, **_tables()
            ),
            params,
        )


def _people_where(where: str, params: list) -> dict[int, list[int]]:
    """Person ids of the attendees of the instances ``where`` selects, per instance."""
    people: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.instance_id, p.id FROM {attendee} a "  # noqa: S608
            "JOIN {person} p ON p.email = LOWER(a.email) "
            "WHERE a.email <> '' AND {where}".format(where=where, **_tables()),
            params,
        )
        for instance_id, person_id in cursor.fetchall():
            people.setdefault(instance_id, []).append(person_id)
    return people


def _people_of(instance_ids: list[int]) -> dict[int, list[int]]:
    people: dict[int, list[int]] = {}
    for chunk in _chunks(instance_ids):
        marks = ", ".join(["%s"] * len(chunk))
        people.update(_people_where(f"a.instance_id IN ({marks})", chunk))
    return people


def _people_set(instance_ids: list[int]) -> BitMap:
    """The Person ids of everyone who attended these instances, as one set (the dashboard's
    raw rows at a range's edges). On PostgreSQL one statement, the instances one parameter
    (an array's text) and the people one array, as :func:`fetch_rows` reads: with an ``%s`` per
    instance, bound in Python, and a row per attendee read as text, the 371 instances of New
    York's edges of a year (3,500 attendees) took 2.0 ms of the process, 0.6–0.9 so
    (bench/page_times.py's data)."""
    people = BitMap()
    if not instance_ids:
        return people
    sql = (
        "SELECT {ids} FROM {attendee} a JOIN {person} p ON p.email = LOWER(a.email) "  # noqa: S608
        "WHERE a.email <> '' AND {where}"
    )
    if connection.vendor == "postgresql":
        ids = f"{{{','.join(map(str, instance_ids))}}}"  # an array's text: bound as one string
        where = "a.instance_id = ANY(%s::bigint[])"
        (found,) = fetch_rows(sql.format(ids="array_agg(p.id)", where=where, **_tables()), [ids])[0]
        return BitMap(found or ())
    sql = sql.replace("{ids}", "p.id")
    for chunk in _chunks(instance_ids):
        where = f"a.instance_id IN ({', '.join(['%s'] * len(chunk))})"
        people.update([row[0] for row in fetch_rows(sql.format(where=where, **_tables()), chunk)])
    return people


def _people_added(instance_ids: list[int]) -> dict[int, list[int]]:
    """:func:`_people_of`, giving every attendee email of these instances a :class:`Person`
    first (:func:`_add_people`). On PostgreSQL one statement a chunk: the new people's ids come
    back from the insert (``RETURNING``), the others from the join, so the attendees just
    written are read once, not twice (bench/sync_speed.py)."""
    if connection.vendor != "postgresql":
        _add_people(instance_ids)
        return _people_of(instance_ids)
    people: dict[int, list[int]] = {}
    unknown: list[int] = []
    for chunk in _chunks(instance_ids):
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH seen AS (SELECT a.instance_id, LOWER(a.email) AS email "  # noqa: S608
                "FROM {attendee} a WHERE a.email <> '' AND a.instance_id = ANY(%s)), "
                "added AS (INSERT INTO {person} (email) SELECT DISTINCT email FROM seen "
                "ON CONFLICT (email) DO NOTHING RETURNING id, email) "
                "SELECT s.instance_id, COALESCE(p.id, n.id) FROM seen s "
                "LEFT JOIN {person} p ON p.email = s.email "
                "LEFT JOIN added n ON n.email = s.email".format(**_tables()),
                [chunk],
            )
            rows = cursor.fetchall()
        found: dict[int, list[int]] = {}
        for instance_id, person_id in rows:
            if person_id is None:
                # Another transaction added this person after the statement began (it is
                # neither in its snapshot nor added by it): read this chunk again, plainly.
                unknown += chunk
                break
            found.setdefault(instance_id, []).append(person_id)
        else:
            people.update(found)
    if unknown:
        people.update(_people_of(unknown))
    return people


_INSTANCE_VALUES = (
    "pk",
    "organizer_id",
    "group_id",
    "start_time",
    "duration_minutes",
    "num_attendees",
    "attendee_minutes",
)


def _insert(model, cells: list[dict]) -> None:
    """Insert cells (dicts of column attnames): with COPY on PostgreSQL, where building a
    model object per cell for ``bulk_create`` cost more than summing them (bench/sync_speed.py),
    else with ``bulk_create``."""
    if not cells:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**cell) for cell in cells], batch_size=_CHUNK)
        return
    quote = connection.ops.quote_name
    names = list(cells[0])
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for cell in cells:
            copy.write_row(tuple(cell[name] for name in names))


def _summed(rows: Iterable[tuple], people: dict[int, list[int]]) -> dict[Cell, Figures]:
    cells: dict[Cell, Figures] = {}
    for pk, organizer_id, group_id, start, duration, num, minutes in rows:
        key = (organizer_id, group_id, _utc(start).date())
        figures = cells.get(key)
        if figures is None:
            figures = cells[key] = Figures()
        figures.add_instance(start, duration, num, minutes, people.get(pk))
    return cells


def rollups_recompute(cells: set) -> None:
    """Recompute the OrganizerDay ``cells`` from the rows, then the cells above them: the
    GroupDay cells of their groups and days, the AccountDay cells of their days, and the
    month levels and running totals of their months; every attendee email of their instances
    is given a Person first."""
    if not cells:
        return
    _one_writer_at_a_time()
    _recompute_cells(cells)


def _recompute_cells(cells: set[Cell]) -> None:
    """:func:`rollups_recompute`, the lock held. Each level's keys are read once, before its
    cells are replaced, and say both which cells are stale and which others are read (the
    cells summed in memory are not read back); the month levels are written in one pass. A
    sync window costs about 20 statements here, not 8 more for every month it touches (its
    GroupMonth and AccountMonth sets) and a second read of each level's keys: in a first
    sync of the sandbox (``large``, 56 windows, timed inside bench/sync_speed.py's sync on
    the shared 2-core machine) the roll-up recompute took 2.5–2.9 s, 3.9 s before."""
    days = {day for _o, _g, day in cells}
    low, high = _day_start(min(days)), _day_start(max(days) + timedelta(days=1))
    organizers = {organizer for organizer, _g, _d in cells}
    rows = [
        row
        for row in MeetingInstance.objects.filter(
            _in("organizer_id", organizers), start_time__gte=low, start_time__lt=high
        ).values_list(*_INSTANCE_VALUES)
        if (row[1], row[2], _utc(row[3]).date()) in cells
    ]
    summed = _summed(rows, _people_added([row[0] for row in rows]))
    group_keys = {(group, day) for _o, group, day in cells}
    # The OrganizerDay cells of the groups and days: those recomputed (stale) and the other
    # organizers' cells of the same groups and days (summed into the GroupDay cells).
    stale: list[int] = []
    others: list[int] = []
    for pk, organizer_id, group_id, day in OrganizerDay.objects.filter(
        _in("group_id", {group for group, _d in group_keys}),
        day__gte=min(days),
        day__lte=max(days),
    ).values_list("pk", "organizer_id", "group_id", "day"):
        if (organizer_id, group_id, day) in cells:
            stale.append(pk)
        elif (group_id, day) in group_keys:
            others.append(pk)
    _delete(OrganizerDay, stale)
    _insert(
        OrganizerDay,
        [
            {"organizer_id": o, "group_id": g, "day": d, **figures.fields()}
            for (o, g, d), figures in summed.items()
        ],
    )
    group_days: dict[tuple[int | None, date], Figures] = {}
    for (_o, group_id, day), figures in summed.items():
        group_days.setdefault((group_id, day), Figures()).add_cell(figures)
    for row in _values_of(OrganizerDay, others, ("group_id", *_CELL_VALUES)):
        group_days.setdefault((row["group_id"], row["day"]), Figures()).merge(row)
    months = {_month(day) for day in days}
    month_keys = {(group, _month(day)) for group, day in group_keys}
    # The GroupDay cells of the months (every group): those recomputed (stale), and the others
    # the AccountDay cells of the days and the GroupMonth sets of the months are made of.
    stale, others = [], []
    for pk, group_id, day in GroupDay.objects.filter(_in_months(months)).values_list(
        "pk", "group_id", "day"
    ):
        if (group_id, day) in group_keys:
            stale.append(pk)
        elif day in days or (group_id, _month(day)) in month_keys:
            others.append(pk)
    _delete(GroupDay, stale)
    _insert(
        GroupDay,
        [{"group_id": g, "day": d, **figures.fields()} for (g, d), figures in group_days.items()],
    )
    account_days: dict[date, Figures] = {}
    group_people: dict[tuple[int | None, date], list[BitMap]] = {}
    for (group_id, day), figures in group_days.items():
        account_days.setdefault(day, Figures()).add_cell(figures)
        group_people.setdefault((group_id, _month(day)), []).append(figures.people)
    for row in _values_of(GroupDay, others, ("group_id", *_CELL_VALUES)):
        if row["day"] in days:
            account_days.setdefault(row["day"], Figures()).merge(row)
        key = (row["group_id"], _month(row["day"]))
        if key in month_keys:
            group_people.setdefault(key, []).append(BitMap.deserialize(bytes(row["people"])))
    for chunk in _chunks(sorted(days)):
        AccountDay.objects.filter(day__in=chunk).delete()
    _insert(AccountDay, [{"day": d, **figures.fields()} for d, figures in account_days.items()])
    _recompute_months(months, organizers=organizers)
    _recompute_running(min(months), organizers=organizers)
    stale_months = Q()
    for month in months:
        groups = {group for group, m in month_keys if m == month}
        stale_months |= Q(month=month) & _in("group_id", groups)
    GroupMonth.objects.filter(stale_months).delete()
    _insert(
        GroupMonth,
        [
            {"group_id": g, "month": m, "people": BitMap.union(*maps).serialize()}
            for (g, m), maps in group_people.items()
        ],
    )
    account_people: dict[date, list[BitMap]] = {}
    for day, figures in account_days.items():
        account_people.setdefault(_month(day), []).append(figures.people)
    # The months' other days: none of ``days`` (just written, summed in memory).
    if len(days) <= _CHUNK:
        rest = AccountDay.objects.filter(_in_months(months)).exclude(day__in=sorted(days))
        found = rest.values("day", "people")
    else:
        found = _others(
            AccountDay, lambda key: key[0] in days, AccountDay.objects.filter(_in_months(months)),
            ("day", "people"),
        )  # fmt: skip
    for row in found:
        account_people.setdefault(_month(row["day"]), []).append(
            BitMap.deserialize(bytes(row["people"]))
        )
    AccountMonth.objects.filter(month__in=sorted(months)).delete()
    _insert(
        AccountMonth,
        [
            {"month": m, "people": BitMap.union(*maps).serialize()}
            for m, maps in account_people.items()
        ],
    )


def _in_months(months: Iterable[date]) -> Q:
    """``day`` in one of the calendar ``months``."""
    q = Q()
    for month in sorted(months):
        q |= Q(day__gte=month, day__lt=_next_month(month))
    return q


def _values_of(model, pks: list[int], names: tuple) -> Iterator[dict]:
    """The values ``names`` of the cells ``pks``."""
    for chunk in _chunks(pks):
        yield from model.objects.filter(any_of(model, "pk", chunk)).values(*names)


def _delete(model, pks: list[int]) -> None:
    """Delete the cells ``pks``: one plain DELETE a chunk (the cells have no relations)."""
    table = connection.ops.quote_name(model._meta.db_table)
    for chunk in _chunks(pks):
        ids = ", ".join(str(int(pk)) for pk in chunk)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({ids})")  # noqa: S608 (integers and the model's table)


_CELL_VALUES = ("day", *_SCALARS, *_BUCKETS, "slots", "people")


def _others(model, keys_of: Callable[[tuple], bool], qs: QuerySet, names: tuple) -> Iterator[dict]:
    """The rows of ``qs`` (cells) whose key is not one just recomputed (``keys_of`` says which
    are), with the values ``names``: their keys first, then only the others' values, so cells
    already summed in memory are not read back (bench/sync_speed.py)."""
    columns = ("pk", *(name for name in ("organizer_id", "group_id") if _has(model, name)), "day")
    others = [row[0] for row in qs.values_list(*columns) if not keys_of(row[1:])]
    yield from _values_of(model, others, names)


def _has(model, attname: str) -> bool:
    return any(f.attname == attname for f in model._meta.concrete_fields)


def _recompute_account_months(months: set[date]) -> None:
    """Union the AccountMonth sets of ``months`` again from their AccountDay cells."""
    for month in sorted(months):
        days = AccountDay.objects.filter(day__gte=month, day__lt=_next_month(month))
        maps = [
            BitMap.deserialize(bytes(people)) for people in days.values_list("people", flat=True)
        ]
        AccountMonth.objects.filter(month=month).delete()
        if maps:
            _insert(AccountMonth, [{"month": month, "people": BitMap.union(*maps).serialize()}])


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _recompute_months(months: set[date], *, organizers: set | None) -> None:
    """Sum the OrganizerMonth rows of ``months`` again from the OrganizerDay cells, for
    ``organizers`` (None: all): one DELETE and one ``INSERT … SELECT … GROUP BY`` for every
    month (was a read of the sums and an insert from Python per month, a fifth of the sync's
    roll-up time, bench/sync_speed.py)."""
    if not months:
        return
    in_months = Q()
    for month in months:
        in_months |= Q(day__gte=month, day__lt=_next_month(month))
    days = OrganizerDay.objects.filter(in_months)
    stale = OrganizerMonth.objects.filter(month__in=sorted(months))
    if organizers is not None:
        days = days.filter(_in("organizer_id", organizers))
        stale = stale.filter(_in("organizer_id", organizers))
    stale.delete()
    sums = (
        days.order_by()
        .annotate(cell_month=TruncMonth("day"))
        .values("organizer_id", "group_id", "cell_month")
        .annotate(**{f"total_{name}": Sum(name) for name in (*_SCALARS, *_BUCKETS)})
    )
    select, params = sums.query.sql_with_params()
    quote = connection.ops.quote_name
    meta = OrganizerMonth._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("organizer", "group", "month", *_SCALARS, *_BUCKETS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({columns}) {select}", params)  # noqa: S608 (names from the model)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


_Pair = tuple[int | None, int | None]  # (organizer id, group id)


def _recompute_running(since: date, *, organizers: set | None) -> None:
    """Recompute the OrganizerRunning rows of ``organizers`` (None: all) from the month
    ``since`` on, after their OrganizerMonth rows of those months changed, and keep every
    other organizer's rows dense up to the last month (carried over, unchanged): the rows
    before ``since`` are the base, the months from ``since`` are added to it."""
    last, kept_last = _last_months()
    if last is None:
        OrganizerRunning.objects.all().delete()
        return
    if kept_last is not None and kept_last > last:  # the newest month's cells are gone
        OrganizerRunning.objects.filter(month__gt=last).delete()
    quote = connection.ops.quote_name
    table = quote(OrganizerRunning._meta.db_table)
    columns = ", ".join(quote(name) for name in ("organizer_id", "group_id", "month",
                                                 "meetings", "attendee_minutes"))  # fmt: skip
    month = kept_last
    while month is not None and month < last:  # a new month: every pair's total goes on
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT organizer_id, group_id, %s, "  # noqa: S608
                f"meetings, attendee_minutes FROM {table} WHERE month = %s",
                [connection.ops.adapt_datefield_value(_next_month(month)),
                 connection.ops.adapt_datefield_value(month)],
            )  # fmt: skip
        month = _next_month(month)
    scope = Q() if organizers is None else _in("organizer_id", organizers)
    OrganizerRunning.objects.filter(scope, month__gte=since).delete()
    # The totals up to the month before ``since`` (the base) and the months from it, at once.
    names = ("organizer_id", "group_id", "month", "meetings", "attendee_minutes")
    before = _previous_month(since)
    base: dict[_Pair, list[int]] = {}
    added: dict[_Pair, dict[date, tuple[int, int]]] = {}
    for organizer_id, group_id, month, meetings, minutes in (
        OrganizerRunning.objects.filter(scope, month=before)
        .values_list(*names)
        .union(OrganizerMonth.objects.filter(scope, month__gte=since).values_list(*names), all=True)
    ):
        pair = (organizer_id, group_id)
        if month == before:
            totals = base.setdefault(pair, [0, 0])
            totals[0] += meetings
            totals[1] += minutes
        else:
            cells = added.setdefault(pair, {})
            old = cells.get(month, (0, 0))
            cells[month] = (old[0] + meetings, old[1] + minutes)
    rows = []
    for pair in base.keys() | added.keys():
        totals = list(base.get(pair, (0, 0)))
        cells = added.get(pair, {})
        month = since if pair in base else min(cells)
        while month <= last:
            meetings, minutes = cells.get(month, (0, 0))
            totals[0] += meetings
            totals[1] += minutes
            rows.append({"organizer_id": pair[0], "group_id": pair[1], "month": month,
                         "meetings": totals[0], "attendee_minutes": totals[1]})  # fmt: skip
            month = _next_month(month)
        if len(rows) >= _RUNNING_BATCH:  # a rebuild of years of 5,000 organizers: in parts
            _insert(OrganizerRunning, rows)
            rows = []
    _insert(OrganizerRunning, rows)


_RUNNING_BATCH = 10_000


def _last_months() -> tuple[date | None, date | None]:
    """The last month of the OrganizerMonth rows and of the OrganizerRunning rows, in one
    statement of two subqueries (each an index look-up; SQLite scanned the month table for the
    same in one aggregate)."""
    quote = connection.ops.quote_name
    months, running = (quote(m._meta.db_table) for m in (OrganizerMonth, OrganizerRunning))
    sql = f"SELECT (SELECT MAX(month) FROM {months}), (SELECT MAX(month) FROM {running})"  # noqa: S608 (names from the models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        last, kept_last = cursor.fetchone()
    return sql_date(last), sql_date(kept_last)


def _has_running_table() -> bool:
    """Whether OrganizerRunning's table exists: not yet while migration 0008 builds the cells
    (or ``rollups_rebuild`` runs before 0010); 0011 builds the totals then."""
    return OrganizerRunning._meta.db_table in connection.introspection.table_names()


def rollups_rebuild_running() -> None:
    """Rebuild every OrganizerRunning row from the OrganizerMonth rows, under the lock every
    roll-up write takes (the end of :func:`rollups_rebuild`; migration 0011)."""
    with transaction.atomic():
        _one_writer_at_a_time()
        first = OrganizerMonth.objects.aggregate(first=Min("month"))["first"]
        OrganizerRunning.objects.all().delete()
        if first is not None:
            _recompute_running(first, organizers=None)


def _recompute_group_months(months: set[date]) -> None:
    """Union the GroupMonth sets of ``months`` (every group) again from their GroupDay cells:
    the rebuild's months (a sync's window writes its own in :func:`_recompute_cells`)."""
    for month in sorted(months):
        people: dict[int | None, list[BitMap]] = {}
        for group_id, blob in GroupDay.objects.filter(
            day__gte=month, day__lt=_next_month(month)
        ).values_list("group_id", "people"):
            people.setdefault(group_id, []).append(BitMap.deserialize(bytes(blob)))
        GroupMonth.objects.filter(month=month).delete()
        _insert(
            GroupMonth,
            [
                {"group_id": g, "month": month, "people": BitMap.union(*maps).serialize()}
                for g, maps in people.items()
            ],
        )


# --- Rebuilding them from the rows ---------------------------------------------------------------

REBUILD = "rebuild"
_CELL_MODELS = (OrganizerDay, GroupDay, AccountDay, OrganizerMonth, GroupMonth, AccountMonth)


def _rebuild_days(first: date, last: date) -> int:
    """Replace every cell of the UTC days ``first``…``last`` by cells summed from the rows,
    holding the lock every roll-up write takes (a sync running meanwhile waits for the step)."""
    _one_writer_at_a_time()
    low, high = _day_start(first), _day_start(last + timedelta(days=1))
    where = "a.instance_id IN (SELECT i.id FROM {instance} i WHERE i.start_time >= %s AND i.start_time < %s)".format(  # noqa: E501, S608
        **_tables()
    )
    params = [connection.ops.adapt_datetimefield_value(moment) for moment in (low, high)]
    _add_people_where(where, params)
    rows = list(
        MeetingInstance.objects.filter(start_time__gte=low, start_time__lt=high).values_list(
            *_INSTANCE_VALUES
        )
    )
    summed = _summed(rows, _people_where(where, params))
    for model in (OrganizerDay, GroupDay, AccountDay):
        model.objects.filter(day__gte=first, day__lte=last).delete()
    organizer_cells = [
        {"organizer_id": o, "group_id": g, "day": d, **figures.fields()}
        for (o, g, d), figures in summed.items()
    ]
    _insert(OrganizerDay, organizer_cells)
    groups: dict[tuple[int | None, date], Figures] = {}
    for cell in organizer_cells:
        groups.setdefault((cell["group_id"], cell["day"]), Figures()).merge(cell)
    group_cells = [
        {"group_id": g, "day": d, **figures.fields()} for (g, d), figures in groups.items()
    ]
    _insert(GroupDay, group_cells)
    account: dict[date, Figures] = {}
    for cell in group_cells:
        account.setdefault(cell["day"], Figures()).merge(cell)
    _insert(AccountDay, [{"day": d, **figures.fields()} for d, figures in account.items()])
    # The months of these days, summed again from their days rebuilt so far (the last step
    # in a month leaves it whole).
    months, month = set(), _month(first)
    while month <= last:
        months.add(month)
        month = _next_month(month)
    _recompute_months(months, organizers=None)
    _recompute_group_months(months)
    _recompute_account_months(months)
    return len(rows)


def rollups_rebuild(
    *,
    days_per_step: int = 7,
    restart: bool = False,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Rebuild every roll-up cell from the rows, ``days_per_step`` UTC days per transaction.

    Idempotent (each step replaces its days' cells) and resumable: the next day to do is saved
    with each step, so a rebuild that was stopped continues where it was (``restart`` starts
    over). The organizers' running totals are rebuilt once every day is, before the cursor
    goes (a rebuild stopped there does them again, not the days), where their table exists
    (not yet when migration 0008 builds the cells). Returns the number of meeting instances
    summed."""
    running = _has_running_table()
    models = (*_CELL_MODELS, *((OrganizerRunning,) if running else ()))
    cursor = RollupCursor.objects.filter(name=REBUILD).first()
    if cursor is None or restart:
        bounds = MeetingInstance.objects.aggregate(low=Min("start_time"), high=Max("start_time"))
        if bounds["low"] is None:
            for model in models:
                model.objects.all().delete()
            RollupCursor.objects.filter(name=REBUILD).delete()
            return 0
        first, last = _utc(bounds["low"]).date(), _utc(bounds["high"]).date()
        # No instance is ever deleted, so cells outside the rows' days are stale.
        for model in (OrganizerDay, GroupDay, AccountDay):
            model.objects.exclude(day__gte=first, day__lte=last).delete()
        for model in (OrganizerMonth, GroupMonth, AccountMonth):
            model.objects.exclude(month__gte=_month(first), month__lte=last).delete()
        cursor, _ = RollupCursor.objects.update_or_create(
            name=REBUILD, defaults={"next_day": first, "last_day": last}
        )
    total = 0
    while cursor.next_day <= cursor.last_day:
        step_last = min(cursor.next_day + timedelta(days=days_per_step - 1), cursor.last_day)
        with transaction.atomic():
            total += _rebuild_days(cursor.next_day, step_last)
            cursor.next_day = step_last + timedelta(days=1)
            cursor.save(update_fields=["next_day", "updated_at"])
        if progress is not None:
            progress(f"roll-ups rebuilt up to {step_last:%Y-%m-%d} (of {cursor.last_day:%Y-%m-%d})")
    if running:  # once, at the end: every step's months move every later month's totals
        rollups_rebuild_running()
    cursor.delete()
    _analyze(*models)
    return total


def _analyze(*models) -> None:
    """Refresh the planner's statistics of the cells after a rebuild (PostgreSQL): a rebuild
    rewrites every month's cells once per step, and until autovacuum came by the dashboard's
    plans read month tables it believed empty (bench/growth.py, 10M rows: 150k index entries
    for 60k rows, estimated 842)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    tables = ", ".join(quote(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


# --- Reading them (the dashboard) ----------------------------------------------------------------


@dataclass(frozen=True)
class RollupRange:
    """The whole UTC days ``first``…``last`` inside a viewer's range (None: none), and the
    moments around them that only raw rows can answer; ``exact``: the range is those days and
    nothing around them (a viewer whose zone is UTC at both ends, or an Admin's whole days)."""

    first: date | None
    last: date | None
    exact: bool = False

    @classmethod
    def inside(cls, low: datetime, high: datetime) -> RollupRange:
        low, high = _utc(low), _utc(high)
        first = low.date() if low == _day_start(low.date()) else low.date() + timedelta(days=1)
        last = high.date() - timedelta(days=1)
        if first > last:
            return cls(None, None)
        exact = low == _day_start(first) and high == _day_start(last + timedelta(days=1))
        return cls(first, last, exact)

    def edges(self) -> Q:
        """Instances outside the whole days (within the range already applied): none when the
        range is ``exact``, and no query is made for them."""
        if self.first is None:
            return Q()
        if self.exact:
            return Q(pk__in=[])
        return Q(start_time__lt=_day_start(self.first)) | Q(
            start_time__gte=_day_start(self.last + timedelta(days=1))
        )


def _cell_filter(
    qs: QuerySet, *, days: RollupRange, group_ids: set[int] | None, organizer_id: int | None
) -> QuerySet:
    qs = qs.filter(day__gte=days.first, day__lte=days.last)
    if group_ids is not None:
        qs = qs.filter(group_id__in=group_ids)
    if organizer_id is not None:
        qs = qs.filter(organizer_id=organizer_id)
    return qs


def _whole_months(days: RollupRange) -> tuple[date, date, list[tuple[date, date]]]:
    """The whole calendar months inside ``days`` (``first_month`` up to, not including,
    ``after_months``; none when equal) and the day ranges around them."""
    first_month = _month(days.first)
    if first_month < days.first:
        first_month = _next_month(first_month)
    after_months = _month(days.last + timedelta(days=1))
    if first_month >= after_months:
        return first_month, first_month, [(days.first, days.last)]
    ranges = [(days.first, first_month - timedelta(days=1)), (after_months, days.last)]
    return first_month, after_months, [(low, high) for low, high in ranges if low <= high]


_TOTALS = {  # the key figures' names (as organizer_totals') for the cells' columns
    "meetings": "meetings",
    "minutes": "attendee_minutes",
    "attendees": "attendees",
    "duration": "duration",
    **{name: name for name in _BUCKETS},
}


@dataclass(frozen=True)
class UtcSlots:
    """Meetings started per UTC day and quarter-hour: ``counts[i, s]`` for the UTC day
    ``first + i`` (a NumPy array: a year of an account's cells is summed and moved into a
    viewer's zone as whole arrays, not cell by cell in Python; that took ~45 ms, bench/)."""

    first: date | None
    counts: np.ndarray  # (days, SLOTS), int64


def _blob(value) -> bytes:
    return value if isinstance(value, bytes) else bytes(value)


def fetch_rows(sql: str, params: list) -> list[tuple]:
    """All rows of ``sql``; on PostgreSQL in the binary format: a year of cells is ~1.6 MB of
    slots, which the text format sends as hex and psycopg decodes, half the statement's time
    (bench/). Django's cursors bind on the client, which has no binary results, so this one
    binds on the server (``psycopg.Cursor`` over Django's connection, in its transaction);
    the statement is logged as Django logs its own (``connection.queries``)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        import psycopg

        debug = getattr(cursor, "debug_sql", None)
        with (
            debug(sql, params) if debug is not None else nullcontext(),
            connection.wrap_database_errors,
            psycopg.Cursor(connection.connection) as binary,
        ):
            # Never prepared (psycopg prepares a statement run 5 times): PgBouncer in
            # transaction mode (docs/production.md) would lose it between transactions.
            binary.execute(sql, params, binary=True, prepare=False)
            return binary.fetchall()


def _empty_totals() -> dict[str, int]:
    return dict.fromkeys(_TOTALS, 0)


def rollup_slots_and_people(
    *, days: RollupRange, group_ids: set[int] | None, organizer_id: int | None
) -> tuple[UtcSlots, BitMap, dict[str, int]]:
    """Meetings per UTC day and quarter-hour, everyone who attended, and the sums of the key
    figures (keys of :data:`_TOTALS`), in the cells of ``days``, in one statement: AccountDay
    cells for the whole account, GroupDay cells for some groups (their sets of people by whole
    month from AccountMonth or GroupMonth), or an organizer's OrganizerDay cells."""
    if days.first is None:
        return UtcSlots(None, np.zeros((0, SLOTS), np.int64)), BitMap(), _empty_totals()
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    scope, scope_params = "", []
    if group_ids is not None:
        scope = f" AND group_id IN ({', '.join(['%s'] * len(group_ids)) or 'NULL'})"
        scope_params = sorted(group_ids)
    # The sums as one text column ("1,2,…"): twelve columns, NULL in every cell's row, cost
    # more to decode than the cells (a group's year is thousands of rows).
    sums = " || ',' || ".join(f"COALESCE(SUM({quote(c)}), 0)" for c in _TOTALS.values())
    whole_account = organizer_id is None and group_ids is None
    day_model, month_model = (AccountDay, AccountMonth) if whole_account else (GroupDay, GroupMonth)
    if organizer_id is None:
        table = quote(day_model._meta.db_table)
        first_month, after_months, _ranges = _whole_months(days)
        # The days of the whole months give their slots only: their people come from
        # the month cells (GroupMonth: one set per group and month; AccountMonth: one).
        people = "CASE WHEN day < %s OR day >= %s THEN people END"
        people_params = [adapt(first_month), adapt(after_months)]
    else:
        table = quote(OrganizerDay._meta.db_table)
        people, people_params = "people", []
        scope += " AND organizer_id = %s"
        scope_params = [*scope_params, organizer_id]
    where = f"day >= %s AND day <= %s{scope}"
    where_params = [adapt(days.first), adapt(days.last), *scope_params]
    # Rows: a cell's (day, slots, people), a month's (NULL, NULL, people), then one row of
    # (NULL, NULL, NULL, "sums").
    sql = (
        f"SELECT day, slots, {people}, NULL FROM {table} WHERE {where} "  # noqa: S608
        f"UNION ALL SELECT NULL, NULL, NULL, {sums} FROM {table} WHERE {where}"
    )
    params = [*people_params, *where_params, *where_params]
    if organizer_id is None and first_month < after_months:
        sql += (
            f" UNION ALL SELECT NULL, NULL, people, NULL "  # noqa: S608
            f"FROM {quote(month_model._meta.db_table)} WHERE month >= %s AND month < %s{scope}"
        )
        params += [adapt(first_month), adapt(after_months), *scope_params]
    rows = fetch_rows(sql, params)
    cells = [row for row in rows if row[0] is not None]
    people = [BitMap.deserialize(_blob(row[2])) for row in rows if row[2] is not None]
    sums = next(row[3] for row in rows if row[3] is not None).split(",")
    totals = {name: int(v) for name, v in zip(_TOTALS, sums, strict=True)}
    counts = np.zeros(((days.last - days.first).days + 1, SLOTS), np.int64)
    if cells:
        read = [row[0] for row in cells]
        if isinstance(read[0], str):  # SQLite's ISO text
            read = [sql_date(day) for day in read]
        where = np.array([day.toordinal() for day in read]) - days.first.toordinal()
        slots = np.frombuffer(b"".join([row[1] for row in cells]), dtype="<u4")
        slots = slots.reshape(-1, SLOTS)
        order = np.argsort(where, kind="stable")
        where, slots = where[order], slots[order]
        starts = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])
        if len(starts) == len(where):  # a cell a day (the whole account's)
            counts[where] = slots
        else:
            counts[where[starts]] = np.add.reduceat(slots, starts, axis=0)
    people_set = BitMap.union(*people) if people else BitMap()
    return UtcSlots(days.first, counts), people_set, totals


class LocalHours:
    """Meetings started per local day and hour of a viewer's range: ``counts[i, h]`` for the
    local day ``start + i``. ``items()`` gives ``((day, hour), n)`` as
    :func:`meetings.selectors.meetings_by_local_hour` does."""

    def __init__(self, start: date, days: int) -> None:
        self.start = start
        self.counts = np.zeros((days, 24), np.int64)

    def add(self, day: date, hour: int, n: int) -> None:
        index = (day - self.start).days
        if not 0 <= index < len(self.counts):
            raise ValueError(f"{day} is outside the range from {self.start}")
        self.counts[index, hour] += n

    def items(self) -> Iterator[tuple[tuple[date, int], int]]:
        for index, hour in zip(*np.nonzero(self.counts), strict=True):
            yield (
                (self.start + timedelta(days=int(index)), int(hour)),
                int(self.counts[index, hour]),
            )

    def per_day(self) -> np.ndarray:
        return self.counts.sum(axis=1)


_STEP = timedelta(minutes=SLOT_MINUTES)


def _offset_slots(moment: datetime, tz: tzinfo) -> int:
    """``tz``'s UTC offset at ``moment`` in quarter-hours, rounded down as a local clock's
    minutes are (an offset with seconds, a zone's local mean time of old, say)."""
    return moment.astimezone(tz).utcoffset() // _STEP


@functools.lru_cache(maxsize=256)
def _year_midnights(tz: tzinfo, year: int) -> np.ndarray:
    """``tz``'s offset (:func:`_offset_slots`) at each UTC midnight of ``year`` (read-only).
    The zone's rules do not change while the process runs (ZoneInfo keeps them too): a year of
    a zone is read once, not the 366 conversions a dashboard would make on every view."""
    first = datetime(year, 1, 1, tzinfo=UTC)
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    offsets = np.array([_offset_slots(first + timedelta(days=i), tz) for i in range(days)])
    offsets.flags.writeable = False
    return offsets


@functools.lru_cache(maxsize=256)
def _day_offsets(tz: tzinfo, day: date) -> np.ndarray:
    """``tz``'s offset at each quarter-hour of the UTC ``day`` (read-only): a day with a DST
    change, of which a zone has a few a year."""
    begin = _day_start(day)
    offsets = np.array([_offset_slots(begin + _STEP * slot, tz) for slot in range(SLOTS)])
    offsets.flags.writeable = False
    return offsets


def _midnights(tz: tzinfo, first: date, count: int) -> np.ndarray:
    """``tz``'s offset at the UTC midnights of ``first`` and the ``count - 1`` days after it."""
    last = first + timedelta(days=count - 1)
    years = [_year_midnights(tz, year) for year in range(first.year, last.year + 1)]
    skip = (first - date(first.year, 1, 1)).days
    return np.concatenate(years)[skip : skip + count]


def _check(low: int, high: int, size: int) -> None:
    if low < 0 or high >= size:
        raise ValueError("a UTC day outside the viewer's range")


def local_hours(slots: UtcSlots, *, tz: tzinfo, start: date, days: int) -> LocalHours:
    """Meetings per local (day, hour) in ``tz`` of the range of ``days`` local days from
    ``start``, from counts per UTC quarter-hour. The UTC days lie inside the range
    (:meth:`RollupRange.inside`).

    Every UTC quarter-hour moves by ``tz``'s offset at that moment, in whole quarter-hours (every
    zone's offset is a multiple of 15 minutes), as NumPy arrays: the days between two changes
    of the offset at UTC midnight (a DST change, say) move as one block, and each slot of a day
    whose two midnights differ by its own offset. So DST changes and half- or quarter-hour
    zones (Asia/Kolkata, Asia/Kathmandu) are exact (no zone changes its offset and back within
    a day). The offsets are read once per process and zone (:func:`_year_midnights`).
    """
    hours = LocalHours(start, days)
    counts = slots.counts
    if slots.first is None or not counts.any():
        return hours
    n = len(counts)
    midnights = _midnights(tz, slots.first, n + 1)
    quarters = np.zeros(days * SLOTS, np.int64)
    base = (slots.first - start).days * SLOTS  # the first UTC day's slot 0 at offset 0
    flat = counts.ravel()
    run = 0  # the first day of a run of days whose midnights all have one offset
    for index in [*np.flatnonzero(midnights[:-1] != midnights[1:]).tolist(), n]:
        if run < index:  # the days run … index - 1 move by one offset
            at = base + int(midnights[run]) + run * SLOTS
            _check(at, at + (index - run) * SLOTS - 1, len(quarters))
            quarters[at : at + (index - run) * SLOTS] += flat[run * SLOTS : index * SLOTS]
        if index < n:  # the offset changes within the day: slot by slot
            cells = np.flatnonzero(counts[index])
            offsets = _day_offsets(tz, slots.first + timedelta(days=index))[cells]
            positions = base + index * SLOTS + cells + offsets
            if len(cells):
                _check(int(positions.min()), int(positions.max()), len(quarters))
                np.add.at(quarters, positions, counts[index, cells])
        run = index + 1
    hours.counts += quarters.reshape(-1, SLOTS // 24).sum(axis=1).reshape(days, 24)
    return hours


# One read of a month's running totals costs about as much as this many days of OrganizerDay
# rows: an account's organizers meet on about two days in five (bench/dataset.py).
_RUNNING_READ_DAYS = 3

# ("running", sign, month, None): ``sign`` × the running totals up to ``month``;
# ("days", sign, first, last): ``sign`` × the OrganizerDay cells of those days.
_Term = tuple[str, int, date, date | None]


def _through(day: date, sign: int, *, today: date) -> list[_Term]:
    """``sign`` × every organizer's sums of the UTC days up to and including ``day``: the
    running totals up to the month before plus the month's days up to ``day``, or the running
    totals up to ``day``'s month less its days after ``day`` (none after ``today``), whichever
    reads fewer days."""
    month = _month(day)
    month_last = _next_month(month) - timedelta(days=1)
    before = (day - month).days + 1
    # The days after ``day`` are read however few (a cell dated after today, by a skewed
    # clock, say, must not count): ``today`` only weighs what they cost.
    after = max(0, (min(month_last, today) - day).days)
    if before <= after:
        return [("running", sign, _previous_month(month), None), ("days", sign, month, day)]
    terms: list[_Term] = [("running", sign, month, None)]
    if day < month_last:
        terms.append(("days", -sign, day + timedelta(days=1), month_last))
    return terms


def _top_terms(days: RollupRange, *, today: date) -> list[_Term]:
    """The reads whose signed sums are every organizer's sums over ``days``, whichever costs
    less: the day cells themselves, or the totals up to the last day less those up to the day
    before the first (two rows per organizer, plus the days around the month boundaries)."""
    assert days.first is not None and days.last is not None
    direct: list[_Term] = [("days", 1, days.first, days.last)]
    through = _through(days.last, 1, today=today) + _through(
        days.first - timedelta(days=1), -1, today=today
    )

    def cost(terms: list[_Term]) -> int:  # days after today hold no cells: they cost nothing
        return sum(
            _RUNNING_READ_DAYS if kind == "running" else max(0, (min(high, today) - low).days + 1)
            for kind, _sign, low, high in terms
        )

    return direct if cost(direct) <= cost(through) else through


def rollup_top_organizers(
    *,
    days: RollupRange,
    group_ids: set[int] | None,
    organizer_id: int | None,
    edges: QuerySet[MeetingInstance] | None,
    limit: int,
) -> dict[str, list[dict]]:
    """The ``limit`` organizers with the most meetings (``"meetings"``) and the most
    attendee-minutes (``"minutes"``) — ties in organizer order, the unknown organizer last —
    with their names, ranked by the database in one statement: the whole UTC days from the
    running totals (OrganizerRunning) and the day cells (OrganizerDay, :func:`_top_terms`), the
    raw rows of ``edges`` (the partial UTC days at the range's edges; None: none). Rows:
    ``organizer_id``, ``meetings``, ``minutes`` and the organizer's ``first_name``,
    ``last_name``, ``email``.

    Only the two lists leave the database: summing every organizer's cells and ranking them
    in Python took longer than the sums (5,000 organizers: ~100 ms, bench/growth.py); the
    names are joined to the twenty rows ranked, not to every organizer's sums."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    parts: list[tuple[str, list]] = []  # (SELECT organizer_id, meetings, minutes, params)
    if days.first is not None:
        running = quote(OrganizerRunning._meta.db_table)
        cells = quote(OrganizerDay._meta.db_table)
        for kind, sign, low, high in _top_terms(days, today=timezone.now().astimezone(UTC).date()):
            if kind == "running":
                # The last month kept, if ``low`` is later: nothing was held after it.
                table = running
                where = f"month = (SELECT MAX(month) FROM {running} WHERE month <= %s)"  # noqa: S608 (names from the model)
                values = [adapt(low)]
            else:
                table, where, values = cells, "day >= %s AND day <= %s", [adapt(low), adapt(high)]
            if group_ids is not None:
                where += f" AND group_id IN ({', '.join(['%s'] * len(group_ids)) or 'NULL'})"
                values = [*values, *sorted(group_ids)]
            if organizer_id is not None:
                where += " AND organizer_id = %s"
                values = [*values, organizer_id]
            minus = "-" if sign < 0 else ""
            parts.append(
                (f"SELECT organizer_id, {minus}meetings, {minus}attendee_minutes "  # noqa: S608
                 f"FROM {table} WHERE {where}", values)
            )  # fmt: skip
    try:
        if edges is not None:
            edge_sql, edge_params = (
                edges.order_by()
                .annotate(one=Value(1), minutes=Coalesce("attendee_minutes", 0))
                .values_list("organizer_id", "one", "minutes")
                .query.sql_with_params()
            )
            parts.append((f"SELECT * FROM ({edge_sql}) edge", list(edge_params)))  # noqa: S608
    except EmptyResultSet:  # a scope that selects nothing (e.g. ``pk__in=[]``)
        pass
    if not parts:
        return {"meetings": [], "minutes": []}
    organizers = quote(Organizer._meta.db_table)
    ranked = (
        "SELECT '{measure}', t.organizer_id, t.meetings, t.minutes, o.first_name, "  # noqa: S608
        "o.last_name, o.email FROM (SELECT organizer_id, meetings, minutes FROM per "
        "ORDER BY {measure} DESC, organizer_id IS NULL, organizer_id LIMIT %s) t "
        f"LEFT JOIN {organizers} o ON o.id = t.organizer_id"
    )
    sql = (
        "WITH cells (organizer_id, meetings, minutes) AS ("  # noqa: S608
        + " UNION ALL ".join(part for part, _params in parts)
        + "), per AS (SELECT organizer_id, SUM(meetings) AS meetings, SUM(minutes) AS minutes "
        # Totals less the days outside the range leave 0 meetings to an organizer who held
        # none inside it: no row, as from the raw rows.
        "FROM cells GROUP BY organizer_id HAVING SUM(meetings) > 0) "
        + ranked.format(measure="meetings")
        + " UNION ALL "
        + ranked.format(measure="minutes")
    )
    params = [value for _part, values in parts for value in values] + [limit, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    lists: dict[str, list[dict]] = {"meetings": [], "minutes": []}
    for measure, pk, meetings, minutes, first_name, last_name, email in rows:
        lists[measure].append({
            "organizer_id": pk,
            "meetings": int(meetings or 0),
            "minutes": int(minutes or 0),
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
        })  # fmt: skip
    for measure, found in lists.items():  # the join keeps no order: the ranking's again
        found.sort(key=top_order(measure))
    return lists


def top_order(measure: str) -> Callable[[dict], tuple]:
    """The top lists' order of organizer rows by ``measure`` (the SQL above ranks the same):
    the most first, ties in organizer order, the unknown organizer last."""
    return lambda row: (-(row[measure] or 0), row["organizer_id"] is None, row["organizer_id"] or 0)


def people_of_instances(qs: QuerySet[MeetingInstance]) -> BitMap:
    """The Person ids of everyone who attended the instances of ``qs`` (raw rows: the edges of
    a range, a few thousand instances at most). The instances are listed first: written as one
    ``IN (subquery)`` PostgreSQL hashed every Person even for no instance (256 ms at 10M rows,
    bench/growth.py)."""
    return _people_set(list(qs.order_by().values_list("pk", flat=True)))


_RAW_VALUES = ("pk", "start_time", "duration_minutes", "num_attendees", "attendee_minutes")


def raw_figures(
    qs: QuerySet[MeetingInstance], *, tz: tzinfo
) -> tuple[dict[tuple[date, int], int], dict[str, int], BitMap]:
    """What the cells hold, summed from the raw rows of ``qs`` (the partial UTC days at a
    range's edges, a few thousand instances at most) in two queries: meetings per local (day,
    hour) in ``tz``, the sums of the key figures (as :func:`rollup_slots_and_people`) and the
    people. The rows are read as :func:`fetch_rows` reads (binary on PostgreSQL): the text format's
    timestamps, parsed in Python, were most of their time (371 rows of New York's edges of a
    year, bench/page_times.py's data: 2.6 → 1 ms)."""
    try:
        sql, params = qs.order_by().values_list(*_RAW_VALUES).query.sql_with_params()
    except EmptyResultSet:  # a scope that selects nothing (e.g. ``pk__in=[]``)
        rows = []
    else:
        rows = fetch_rows(sql, list(params))
    by_hour: dict[tuple[date, int], int] = {}
    totals = _empty_totals()
    for _pk, start, duration, num, minutes in rows:
        local = sql_datetime(start).astimezone(tz)
        key = (local.date(), local.hour)
        by_hour[key] = by_hour.get(key, 0) + 1
        totals["meetings"] += 1
        totals["minutes"] += minutes or 0
        totals["attendees"] += num or 0
        totals["duration"] += duration or 0
        totals[_BUCKETS[_bucket(num or 0)]] += 1
    return by_hour, totals, _people_set([row[0] for row in rows])
