"""The attendees pass, and the per-window attendee fetching the history pass shares.

Attendees are fetched per group and window, not per meeting instance: the history sync asks
for a window's attendees right after its meetings (group_history_sync), and attendees_sync
catches up what that left; only an instance no group-wide answer can settle is asked alone.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gotomeeting.errors import ApiError, InvalidRequest, NotFound
from gotomeeting.windows import MAX_WINDOW_DAYS
from meetings.models import Attendee, MeetingInstance
from meetings.rollups import rollups_kept
from organizers.models import Group
from portal.bulk import any_of, insert_new_rows, upsert_rows

from ..locks import lock_is_held
from ..models import SyncArea, SyncRun
from .groups import _uses_per_organizer_calls
from .rows import _chunks, _end_time, _text
from .runs import Progress, _describe, _Recorder, _say

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient
    from gotomeeting import models as api

logger = logging.getLogger(__name__)


@dataclass
class _WindowAttendees:
    """The attendees GoTo gave for one group and window.

    ``covered`` is None when one group call answered for every meeting of the window; after
    per-organizer calls it holds the organizer keys answered for (an organizer GoTo no longer
    knows is not covered, and neither is a meeting without an organizer key).
    """

    attendees: list[api.Attendee] = field(default_factory=list)
    covered: set[int] | None = field(default_factory=set)

    @property
    def per_organizer(self) -> bool:
        return self.covered is not None

    def covers(self, organizer_key: int | None) -> bool:
        return self.covered is None or (organizer_key is not None and organizer_key in self.covered)


@dataclass
class _Stored:
    """What :func:`_store_attendees` wrote."""

    created: int = 0
    updated: int = 0
    marked: set[int] = field(default_factory=set)  # instance keys now synced
    with_rows: set[int] = field(default_factory=set)  # ... of them with attendees in the answer

    @property
    def instances(self) -> int:
        return len(self.marked)


def _fetch_window_attendees(
    client: GoToMeetingClient,
    group: Group,
    start: datetime,
    end: datetime,
    *,
    hosts: set[int | None],
    per_organizer: bool,
) -> _WindowAttendees:
    """The attendees of ``group``'s meetings held between ``start`` and ``end``.

    One group call; for a group of more than 50 organizers (``per_organizer``, or GoTo
    refusing the group call) one call per organizer in ``hosts`` (those who held the meetings
    wanted; a key None cannot be asked). No call at all when ``hosts`` is empty.
    """
    if not hosts:
        return _WindowAttendees()
    if not per_organizer:
        try:
            return _WindowAttendees(
                client.get_attendees_by_group(group.group_key, start, end), covered=None
            )
        except InvalidRequest:
            logger.info("attendees: group %s refused the group-scoped call", group.group_key)
    answer = _WindowAttendees()
    for organizer_key in sorted(key for key in hosts if key is not None):
        try:
            answer.attendees += client.get_attendees_by_organizer(organizer_key, start, end)
        except NotFound:
            logger.info("attendees: organizer %s not found at GoTo, skipped", organizer_key)
            continue
        answer.covered.add(organizer_key)
    return answer


def _needing_attendees(
    items: Sequence[api.HistoricalMeeting], *, now: datetime
) -> dict[int, api.HistoricalMeeting]:
    """The history rows of ``items`` whose meeting has ended and has no attendees synced."""
    ended = {
        item.meeting_instance_key: item
        for item in items
        if item.start_time is not None and _end_time(item) <= now
    }
    done: set[int] = set()
    for keys in _chunks(list(ended)):
        done.update(
            MeetingInstance.objects.filter(
                any_of(MeetingInstance, "instance_key", keys), attendees_synced_at__isnull=False
            ).values_list("instance_key", flat=True)
        )
    return {key: item for key, item in ended.items() if key not in done}


Stays = dict[tuple[int, str, datetime], dict]


def _stays(attendees: Iterable[api.Attendee], starts: dict[int, datetime]) -> Stays:
    """The attendee rows of ``attendees`` (answer order, the last one of an identity wins) of
    the instances ``starts`` (instance key: start), by their identity (instance key, email,
    join time), ``instance_id`` holding the instance key until they are stored; a row of
    another instance is left out. A missing join time is the instance's start."""
    rows: Stays = {}
    for attendee in attendees:
        key = attendee.meeting_instance_key
        start = starts.get(key)
        if start is None:
            continue
        join_time = attendee.join_time or start
        email = _text(attendee.attendee_email, 254)
        duration = attendee.duration
        if duration is None and attendee.leave_time is not None:
            duration = round((attendee.leave_time - join_time).total_seconds() / 60)
        rows[(key, email, join_time)] = {
            "instance_id": key,
            "email": email,
            "join_time": join_time,
            "name": _text(attendee.attendee_name, 255),
            "leave_time": attendee.leave_time,
            "duration_minutes": max(0, duration or 0),
        }
    return rows


def _attendee_minutes_of_new(stays: Stays, keys: Iterable[int]) -> dict[int, int]:
    """The ``attendee_minutes`` of the instances ``keys``, not cached yet, once
    :func:`_store_attendees` has stored ``stays`` for them: the minutes of their rows, counted
    as it counts them (0 without any)."""
    minutes = dict.fromkeys(keys, 0)
    for (key, _email, _join), row in stays.items():
        if key in minutes:
            minutes[key] += row["duration_minutes"]
    return minutes


_MARKED_VALUES = ("pk", "instance_key", "start_time", "attendee_minutes", "attendees_synced_at")


def _store_attendees(
    attendees: Iterable[api.Attendee] = (),
    *,
    instance_keys: Iterable[int],
    stays: Stays | None = None,
    created_marked: Collection[int] = (),
) -> _Stored:
    """Upsert the attendees of the cached instances ``instance_keys`` (rows of other instances
    are ignored) and mark those instances synced: ``attendees_synced_at`` now and
    ``attendee_minutes`` the sum of their cached attendees' minutes (0 without any).

    Rows are identified by (instance, email, join time); one counts as updated only when its
    name, leave time or minutes changed. Call it inside a transaction.

    ``stays``: the rows of ``attendees`` (:func:`_stays`, with the cached start times) if
    the caller has them already; those stored are given their instance id in place.
    ``created_marked``: keys of instances the caller has just created, in this transaction,
    already marked (``attendee_minutes`` from :func:`_attendee_minutes_of_new`): an instance
    of them whose row says what this would write is not written again (a back-fill's
    instances, each rewritten for nothing before: bench/sync_speed.py).
    """
    stored = _Stored()
    instances: dict[int, tuple[int, datetime]] = {}
    marks: dict[int, tuple[int, bool]] = {}  # instance id: (attendee_minutes, synced)
    for keys in _chunks(list(set(instance_keys))):
        for pk, key, start, minutes, synced_at in MeetingInstance.objects.filter(
            any_of(MeetingInstance, "instance_key", keys)
        ).values_list(*_MARKED_VALUES):
            instances[key] = (pk, start)
            marks[pk] = (minutes, synced_at is not None)
    if not instances:
        return stored
    if stays is None:
        stays = _stays(attendees, {key: start for key, (_pk, start) in instances.items()})
    fields = ("name", "leave_time", "duration_minutes")
    # The cached rows, by the identity the rows of ``stays`` have (instance key, not id).
    key_of = {pk: key for key, (pk, _start) in instances.items()}
    existing: dict[tuple[int, str, datetime], dict] = {}
    for ids in _chunks(sorted(key_of)):
        for old in Attendee.objects.filter(any_of(Attendee, "instance", ids)).values(
            "instance_id", "email", "join_time", *fields
        ):
            existing[(key_of[old["instance_id"]], old["email"], old["join_time"])] = old
    # One pass over the rows, each given its instance id in place (not copied: a hundred
    # thousand rows a first sync, bench/sync_speed.py); each instance's attendee-minutes are
    # its cached rows as they are now, summed here.
    new_rows: list[dict] = []
    changed: list[dict] = []
    minutes = dict.fromkeys(marks, 0)
    for identity, row in stays.items():
        target = instances.get(identity[0])
        if target is None:
            continue
        row["instance_id"] = target[0]
        stored.with_rows.add(identity[0])
        minutes[target[0]] += row["duration_minutes"]
        old = existing.get(identity)
        if old is None:
            new_rows.append(row)
        elif any(old[f] != row[f] for f in fields):
            changed.append(row)
    for identity, old in existing.items():
        if identity not in stays:
            minutes[old["instance_id"]] += old["duration_minutes"]
    stored.created, stored.updated = len(new_rows), len(changed)
    unique = ["instance", "email", "join_time"]
    insert_new_rows(Attendee, new_rows, unique=unique, update=fields)
    upsert_rows(Attendee, changed, unique=unique, update=fields)
    keep = {instances[key][0] for key in created_marked if key in instances}
    _mark_synced(
        {pk: total for pk, total in minutes.items() if pk not in keep or marks[pk] != (total, True)}
    )
    stored.marked = set(instances)
    return stored


def _mark_synced(minutes: dict[int, int]) -> None:
    """Set ``attendees_synced_at`` to now and ``attendee_minutes`` as given (instance id:
    minutes), one UPDATE a chunk (the minutes written out: was summed again in the database
    from the rows just written, a correlated subquery the planner costed high enough to
    compile, bench/sync_speed.py). A ``CASE`` rather than ``UPDATE … FROM``, which SQLite has
    only since 3.33 (Django 5.2 supports 3.31); the numbers are written as integers (``int``),
    not bound, so a chunk stays within old SQLite's 999 parameters."""
    table = connection.ops.quote_name(MeetingInstance._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for chunk in _chunks(sorted(minutes.items())):
        cases = " ".join(f"WHEN {int(pk)} THEN {int(total)}" for pk, total in chunk)
        ids = ", ".join(str(int(pk)) for pk, _total in chunk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET attendee_minutes = CASE id {cases} END, "  # noqa: S608 (integers and the model's table)
                f"attendees_synced_at = %s WHERE id IN ({ids})",
                [now],
            )


def _warn_if_missing(
    stored: _Stored, wanted: dict[int, api.HistoricalMeeting], *, group: Group, where: str
) -> None:
    """Log the meetings marked as attended by nobody though their history row counts some."""
    missing = [
        key
        for key in stored.marked - stored.with_rows
        if key in wanted and (wanted[key].num_attendees or 0) > 0
    ]
    if missing:
        logger.warning(
            "attendees %s, window from %s: GoTo's answer has no attendee of %d meetings whose "
            "history counts attendees (e.g. instance %s); they are marked as attended by nobody",
            group.name,
            where,
            len(missing),
            missing[0],
        )


def _covering_windows(
    rows: Sequence[dict], *, now: datetime
) -> list[tuple[datetime, datetime, list[dict]]]:
    """As few windows of at most 60 days as cover the start times of ``rows`` (sorted by
    ``start_time``), each with the rows it covers."""
    windows = []
    index = 0
    while index < len(rows):
        start = rows[index]["start_time"] - timedelta(minutes=1)
        end = min(start + timedelta(days=MAX_WINDOW_DAYS), now)
        members = [rows[index]]
        index += 1
        while index < len(rows) and rows[index]["start_time"] < end:
            members.append(rows[index])
            index += 1
        windows.append((start, end, members))
    return windows


def _history_running(group: Group) -> bool:
    try:
        return lock_is_held(SyncArea.HISTORY, str(group.group_key))
    except Exception:  # the lock store is down: nothing to defer to
        return False


def _group_attendees_catch_up(
    client: GoToMeetingClient,
    rec: _Recorder,
    group: Group,
    *,
    now: datetime,
    progress: Progress | None,
) -> None:
    """Fetch the attendees of ``group``'s ended instances still without them, per window."""
    rows = list(
        MeetingInstance.objects.filter(
            group=group, attendees_synced_at__isnull=True, end_time__lte=now
        )
        .order_by("start_time", "pk")
        .values("instance_key", "organizer_key", "start_time", "num_attendees")
    )
    per_organizer = _uses_per_organizer_calls(group)
    windows = _covering_windows(rows, now=now)
    for number, (start, end, members) in enumerate(windows, start=1):
        answer = _fetch_window_attendees(
            client,
            group,
            start,
            end,
            hosts={row["organizer_key"] for row in members},
            per_organizer=per_organizer,
        )
        per_organizer = per_organizer or answer.per_organizer
        with_rows = {attendee.meeting_instance_key for attendee in answer.attendees}
        # Outside a history window nothing proves the answer's scope holds the instance (its
        # host may have changed groups): one it leaves out counts as attended by nobody only
        # if its history row says so; the others are asked one by one.
        targets = [
            row["instance_key"]
            for row in members
            if answer.covers(row["organizer_key"])
            and (row["instance_key"] in with_rows or row["num_attendees"] == 0)
        ]
        with transaction.atomic(), rollups_kept(instance_keys=targets):
            stored = _store_attendees(answer.attendees, instance_keys=targets)
            rec.record(stored.created, stored.updated)
        _say(
            progress,
            f"attendees {group.name}: window {number}/{len(windows)} "
            f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M}: {stored.instances} of "
            f"{len(members)} meetings synced, {stored.created} attendees created, "
            f"{stored.updated} updated",
        )


def attendees_sync(
    *,
    client: GoToMeetingClient,
    limit: int | None = None,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Fetch the attendees of the ended meeting instances still without them
    (``attendees_synced_at`` empty): those the history sync could not settle with its windows.

    First per group, in as few windows of at most 60 days as cover those instances: one group
    call a window (per host for a group of more than 50 organizers). A group whose history
    sync is running is left to it. Then one call per instance for what is left (no group, a
    host GoTo no longer knows, an instance a group answer left out though its history row
    counts attendees), at most ``limit`` (``SYNC_ATTENDEES_PER_RUN``; 0 = all) a run; the next
    run continues with the rest. Each window and each instance commits on its own.
    """
    if limit is None:
        limit = getattr(settings, "SYNC_ATTENDEES_PER_RUN", None)
    with _Recorder(
        area=SyncArea.ATTENDEES, client=client, triggered_by=triggered_by, run=run
    ) as rec:
        if rec.skipped:
            return rec.run
        now = timezone.now()
        pending = MeetingInstance.objects.filter(
            attendees_synced_at__isnull=True, end_time__lte=now
        )
        groups = list(
            Group.objects.filter(pk__in=pending.exclude(group=None).values("group_id")).order_by(
                "name", "pk"
            )
        )
        left_alone: list[int] = []
        failure: BaseException | None = None
        for number, group in enumerate(groups, start=1):
            if _history_running(group):
                left_alone.append(group.pk)
                _say(progress, f"attendees {group.name}: its history sync is running, skipped")
                continue
            try:
                _group_attendees_catch_up(client, rec, group, now=now, progress=progress)
            except ApiError as exc:
                failure = failure or exc
                left_alone.append(group.pk)
                _say(progress, f"attendees {group.name}: failed: {_describe(exc)}")
                continue
            rec.record(progress=number / (len(groups) + 1))
        rest = pending.exclude(group_id__in=left_alone).order_by("-start_time", "pk")
        instances = list(rest[:limit] if limit else rest)
        for number, instance in enumerate(instances, start=1):
            try:
                attendees = client.get_attendees_by_meeting(instance.instance_key)
            except NotFound:
                attendees = []
            with transaction.atomic(), rollups_kept(instance_ids=[instance.pk]):
                stored = _store_attendees(attendees, instance_keys=[instance.instance_key])
                rec.record(
                    stored.created,
                    stored.updated,
                    progress=(len(groups) + number / len(instances)) / (len(groups) + 1),
                )
            if number % 50 == 0 or number == len(instances):
                _say(
                    progress, f"attendees: {number}/{len(instances)} meeting instances, one by one"
                )
        if not groups and not instances:
            _say(progress, "attendees: every meeting instance has its attendees")
        if failure is not None:
            raise failure
    return rec.run
