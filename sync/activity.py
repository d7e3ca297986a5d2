"""Where meeting data can change now: the organizers and meetings the live and history passes
ask GoTo about, read from the cache alone (no API call here).

GoTo allows 10 calls a second per token (36,000 an hour). Asking every organizer's upcoming
meetings each minute costs one call per small group plus one per organizer of every group over
50: 67–73 calls a minute for the 98 organizers of the demo account, the whole budget at ~500
such organizers. Yet a meeting can only turn live or end when

- it is due to start: its scheduled start is at most :data:`EARLY` ahead or :data:`LATE_START`
  behind and it is not yet seen live, or, for a recurring meeting, the same weekday and time
  of day (its weekly slot) is; asked each pass, so it is shown live within a pass of starting;
- it is cached as live (it will end), or its organizer held a meeting in the last
  :data:`RECENT_HOSTS` (people who just met often meet again: back-to-back calls, a
  restarted meeting): asked every :data:`RECHECK` only. Each pass would cost one call a minute
  for as long as a meeting runs (a big group's host: ~45 calls per meeting, an hour of
  recent-host checks 60 more) where every fifth pass costs a fifth; an ended meeting shows
  live a few minutes longer;
- or nobody scheduled it (an instant meeting, a recurring meeting outside its slot, a meeting
  started later than :data:`LATE_START`): only a sweep of every organizer finds those, and it
  runs slower: each live pass asks one slice, so every organizer is asked once per
  ``SYNC_LIVE_SWEEP_SECONDS`` (30 minutes: measured with ``bench/api_budget.py`` on the
  ``enterprise`` sandbox, 40 groups, ~3,700 organizers in groups over 50, at office hours, a
  15-minute sweep alone took ~15,000 calls an hour, and the whole sync 66% of the budget).

GoTo lets a recurring meeting be started at any time; checking every recurring meeting each
minute would ask nearly every organizer each minute (in the generated accounts every organizer
with more than 8 meetings a year holds a series), so outside its weekly slot one waits for the
sweep.

The cheapest call that answers each candidate: a group of at most 50 organizers with any
candidate is asked once (``get_group_upcoming_meetings``); an organizer of a bigger group is
asked alone (``get_organizer_upcoming_meetings``, all their meetings in one call); a candidate
meeting whose organizer is in no group is asked with ``get_meeting``.

The history pass of a group over 50 organizers (one call per organizer and window) likewise
asks only :func:`history_candidates` between two full passes, which run every
``SYNC_HISTORY_SWEEP_SECONDS`` and start from the end of the last full one, so a meeting no
candidate rule foresaw is still found by the next full pass.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from meetings.models import Meeting, MeetingInstance, MeetingType
from organizers.models import Group, Organizer

from .models import SyncArea, SyncOutcome, SyncRun

logger = logging.getLogger(__name__)

# GoTo answers group-scoped calls only for groups of at most this many organizers.
GROUP_SCOPED_MAX_ORGANIZERS = 50
# A host may start this long before the scheduled start...
EARLY = timedelta(minutes=10)
# ... or this long after it (later starts are left to the sweep: each minute of this margin
# costs a call a minute per big-group host whose meeting does not start) ...
LATE_START = timedelta(minutes=15)
# ... and run this long past the scheduled end (history).
LATE = timedelta(minutes=30)
# Live meetings (to see them end) and recent hosts are asked on a pass this often.
RECHECK = timedelta(minutes=5)
# Organizers whose last meeting ended this recently are asked every RECHECK.
RECENT_HOSTS = timedelta(hours=1)
WEEK = timedelta(days=7)
SWEEP_POSITION_KEY = "sync:live:sweep-position"
RECHECK_KEY = "sync:live:rechecked-at"
# A pass starts up to this much earlier than RECHECK after the last recheck and still rechecks
# (the beat's intervals are not exact).
_RECHECK_SLACK = timedelta(seconds=30)


def uses_per_organizer_calls(group: Group) -> bool:
    """Whether GoTo refuses ``group``'s group-scoped calls (more than 50 organizers, by GoTo's
    count or by the active organizers cached)."""
    if group.num_organizers > GROUP_SCOPED_MAX_ORGANIZERS:
        return True
    return (
        Organizer.objects.filter(group=group, deleted_at__isnull=True).count()
        > GROUP_SCOPED_MAX_ORGANIZERS
    )


def slot_overlaps(
    start: datetime,
    end: datetime,
    since: datetime,
    until: datetime,
    *,
    early: timedelta = EARLY,
    late: timedelta = LATE,
) -> bool:
    """Whether a weekly slot (the weekday and time of day of ``start``..``end``, every week
    before and after) overlaps ``since``..``until`` with the margins."""
    if until - since >= WEEK:
        return True
    since_last_start = (since - start) % WEEK  # from the slot's last start up to ``since``
    if since_last_start <= (end - start) + late:
        return True
    return WEEK - since_last_start - early <= until - since


# --- Live ---------------------------------------------------------------------------------


@dataclass
class LivePlan:
    """The calls of one live pass.

    ``groups``: asked with one group call (each has a candidate, or is in the sweep slice);
    ``organizer_keys``: organizers of big groups asked alone; ``meeting_ids``: candidate
    meetings without a group to ask, checked with ``get_meeting``; ``fallback``: for each group
    in ``groups``, the organizers to ask alone if GoTo refuses the group call (its count was
    stale). ``next_position`` is where the next pass's sweep slice starts.
    """

    groups: list[Group] = field(default_factory=list)
    organizer_keys: list[int] = field(default_factory=list)
    meeting_ids: list[int] = field(default_factory=list)
    fallback: dict[int, list[int]] = field(default_factory=dict)
    swept: int = 0
    sweep_units: int = 0
    next_position: int = 0
    rechecks: bool = True
    now: datetime | None = None

    @property
    def calls(self) -> int:
        """The calls the plan makes when no group call is refused."""
        return len(self.groups) + len(self.organizer_keys) + len(self.meeting_ids)


def _may_change(now: datetime, *, rechecks: bool) -> Q:
    """Meetings due to start at ``now`` (not recurring: see :func:`live_candidates`), and on a
    recheck pass those cached as live."""
    due = Q(
        is_live=False,
        removed_at__isnull=True,
        start_time__lte=now + EARLY,
        start_time__gte=now - LATE_START,
    ) & ~Q(meeting_type=MeetingType.RECURRING)
    return due | Q(is_live=True) if rechecks else due


def live_candidates(*, now: datetime, rechecks: bool = True) -> tuple[set[int], set[int]]:
    """(organizer keys, meeting ids without an organizer key) whose meetings can start or end
    at ``now``; ``rechecks``: include live meetings and recent hosts (every :data:`RECHECK`).

    See the module's docstring for the rules.
    """
    keys: set[int] = set()
    lone: set[int] = set()
    current = Meeting.objects.filter(_may_change(now, rechecks=rechecks))
    rows = list(current.values_list("meeting_id", "organizer_key", "organizer__organizer_key"))
    recurring = Meeting.objects.filter(
        removed_at__isnull=True, is_live=False, meeting_type=MeetingType.RECURRING
    )
    for meeting_id, key, owner_key, start in recurring.values_list(
        "meeting_id", "organizer_key", "organizer__organizer_key", "start_time"
    ):
        if slot_overlaps(start, start, now, now, late=LATE_START):
            rows.append((meeting_id, key, owner_key))
    for meeting_id, key, owner_key in rows:
        if (owner_key or key) is None:
            lone.add(meeting_id)
        else:
            keys.add(owner_key or key)
    if rechecks:
        keys.update(
            MeetingInstance.objects.filter(
                end_time__gte=now - RECENT_HOSTS, organizer_key__isnull=False
            ).values_list("organizer_key", flat=True)
        )
    return keys, lone


def rechecks_due(*, now: datetime) -> bool:
    """Whether this pass asks about live meetings and recent hosts (every :data:`RECHECK`;
    every pass when the cache lost or cannot give the time of the last one)."""
    try:
        last = cache.get(RECHECK_KEY)
    except Exception:
        logger.warning("live: could not read %s", RECHECK_KEY, exc_info=True)
        return True
    if last is None:
        return True
    return now.timestamp() - float(last) >= (RECHECK - _RECHECK_SLACK).total_seconds()


def _sweep_units() -> tuple[list[tuple[Group, int | None]], dict[int, list[int]]]:
    """Everything the sweep covers, in a stable order: (group, None) for a group asked with
    one call, (group, organizer key) for each active organizer of a bigger group; and the
    active organizer keys of each group (by group id)."""
    units: list[tuple[Group, int | None]] = []
    members: dict[int, list[int]] = {}
    for group_id, key in (
        Organizer.objects.filter(
            group__isnull=False, organizer_key__isnull=False, deleted_at__isnull=True
        )
        .order_by("organizer_key")
        .values_list("group_id", "organizer_key")
    ):
        members.setdefault(group_id, []).append(key)
    for group in Group.objects.order_by("name", "pk"):
        if uses_per_organizer_calls(group):
            units += [(group, key) for key in members.get(group.pk, [])]
        else:
            units.append((group, None))
    return units, members


def _slices(every_setting: str, every_default: int, sweep_setting: str, sweep_default: int) -> int:
    every = max(1, int(getattr(settings, every_setting, every_default)))
    sweep = int(getattr(settings, sweep_setting, sweep_default))
    return max(1, math.ceil(sweep / every))


def sweep_slices() -> int:
    """How many live passes one sweep of every organizer spreads over."""
    return _slices("SYNC_LIVE_EVERY_SECONDS", 60, "SYNC_LIVE_SWEEP_SECONDS", 30 * 60)


def _position(key: str) -> int:
    """Where a rotation stands; the cache is down or lost it: start over, nothing breaks (a
    slice is asked twice, or one waits a little longer)."""
    try:
        return int(cache.get(key) or 0)
    except Exception:
        logger.warning("sweep: could not read %s", key, exc_info=True)
        return 0


def _store_position(key: str, position: int) -> None:
    try:
        cache.set(key, position, timeout=None)
    except Exception:
        logger.warning("sweep: could not store %s", key, exc_info=True)


def _rotating_slice(length: int, *, key: str, slices: int) -> tuple[list[int], int]:
    """The indexes of this pass's share (``1 / slices``) of ``length`` units, taken after
    where the last pass stopped, and where the next pass starts."""
    if not length:
        return [], 0
    size = math.ceil(length / slices)
    position = _position(key) % length
    return [(position + n) % length for n in range(size)], (position + size) % length


def sweep_advance(plan: LivePlan) -> None:
    """Remember where the next live pass's sweep slice starts, and when live meetings were
    last rechecked (after a finished pass)."""
    _store_position(SWEEP_POSITION_KEY, plan.next_position)
    if plan.rechecks and plan.now is not None:
        try:
            cache.set(RECHECK_KEY, plan.now.timestamp(), timeout=None)
        except Exception:
            logger.warning("live: could not store %s", RECHECK_KEY, exc_info=True)


def live_plan(*, now: datetime) -> LivePlan:
    """The fewest calls that answer every live candidate at ``now``, plus this pass's slice of
    the sweep (a ``1 / sweep_slices()`` share of all groups and big-group organizers)."""
    rechecks = rechecks_due(now=now)
    keys, lone = live_candidates(now=now, rechecks=rechecks)
    units, members = _sweep_units()
    plan = LivePlan(sweep_units=len(units), rechecks=rechecks, now=now)
    indexes, plan.next_position = _rotating_slice(
        len(units), key=SWEEP_POSITION_KEY, slices=sweep_slices()
    )
    swept_units = [units[index] for index in indexes]
    plan.swept = len(swept_units)
    swept_groups = {group.pk for group, key in swept_units if key is None}
    swept_keys = {key for _, key in swept_units if key is not None}
    grouped: set[int] = set()
    for group, key in units:
        if key is not None:
            grouped.add(key)
            if key in keys or key in swept_keys:
                plan.organizer_keys.append(key)
            continue
        group_keys = members.get(group.pk, [])
        grouped.update(group_keys)
        wanted = sorted(k for k in group_keys if k in keys)
        if wanted or group.pk in swept_groups:
            plan.groups.append(group)
            plan.fallback[group.pk] = group_keys if group.pk in swept_groups else wanted
    # A candidate organizer in no group (or deleted at GoTo) is asked about through the
    # meetings that made them one.
    orphans = keys - grouped
    if orphans:
        lone |= set(
            Meeting.objects.filter(
                Q(organizer_key__in=orphans) | Q(organizer__organizer_key__in=orphans)
            )
            .filter(_may_change(now, rechecks=rechecks))
            .values_list("meeting_id", flat=True)
        )
    plan.meeting_ids = sorted(lone)
    return plan


def _active_keys(group: Group) -> list[int]:
    return list(
        Organizer.objects.filter(group=group, organizer_key__isnull=False, deleted_at__isnull=True)
        .order_by("organizer_key")
        .values_list("organizer_key", flat=True)
    )


# --- Scheduled ------------------------------------------------------------------------------


def live_sweep_covered_everyone(*, now: datetime) -> bool:
    """Whether the live sweep asked every organizer lately: as many live passes succeeded in
    the last ``SYNC_LIVE_SWEEP_SECONDS`` and a half as one sweep has slices (a pass skipped
    or failed does not move the rotation, so the sweep then ends a pass later; without the
    half, one such pass would send the scheduled pass back to asking everyone).

    The live sweep asks the same calls as the scheduled pass and applies the same rules to
    what it covered (new and changed meetings, ``removed_at`` for those gone), so while it
    runs the scheduled pass need not ask the organizers of groups over 50 one by one again
    (one call each: at 3,000 such organizers every 5 minutes, 36,000 calls an hour).
    """
    period = timedelta(seconds=int(getattr(settings, "SYNC_LIVE_SWEEP_SECONDS", 30 * 60)))
    passes = SyncRun.objects.filter(
        area=SyncArea.LIVE, key="", outcome=SyncOutcome.SUCCESS, finished_at__gte=now - period * 1.5
    ).count()
    return passes >= sweep_slices()


# --- History ------------------------------------------------------------------------------


def history_sweep_due(*, cursor: datetime | None, now: datetime) -> bool:
    """Whether a big group's next history pass asks every organizer: the first back-fill, or
    the last full pass ended more than ``SYNC_HISTORY_SWEEP_SECONDS`` ago."""
    if cursor is None:
        return True
    sweep = timedelta(seconds=int(getattr(settings, "SYNC_HISTORY_SWEEP_SECONDS", 3 * 60 * 60)))
    return cursor <= now - sweep


def history_candidates(*, group: Group, since: datetime, until: datetime) -> set[int]:
    """The organizers of ``group`` who can have held a meeting between ``since`` and
    ``until``: a cached meeting of theirs (removed ones too: a held one-off meeting leaves the
    upcoming list) whose window overlaps it with the margins, a recurring meeting whose weekly
    slot does, or a meeting cached as live."""
    members = set(_active_keys(group))
    if not members:
        return set()
    owned = Q(organizer_key__in=members) | Q(organizer__organizer_key__in=members)
    found: set[int] = set()

    def add(pairs: Iterable[tuple[int | None, int | None]]) -> None:
        for key, owner_key in pairs:
            if (owner_key or key) in members:
                found.add(owner_key or key)

    add(
        Meeting.objects.filter(owned)
        .filter(Q(is_live=True) | Q(start_time__lte=until + EARLY, end_time__gte=since - LATE))
        .values_list("organizer_key", "organizer__organizer_key")
    )
    add(
        (key, owner_key)
        for key, owner_key, start, end in Meeting.objects.filter(owned)
        .filter(meeting_type=MeetingType.RECURRING)
        .values_list("organizer_key", "organizer__organizer_key", "start_time", "end_time")
        if slot_overlaps(start, end, since, until)
    )
    return found
