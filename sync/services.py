"""The sync: idempotent upserts of the local cache from the GoToMeeting API.

Each service here takes the API client as an argument, runs under a lock per (area, key) so
two runs never overlap, records itself in a :class:`~sync.models.SyncRun` (counts, API calls,
outcome, error, progress) and writes in small transactions: a failure keeps what earlier
windows (or meeting instances) wrote and leaves everything else as it was.

Rows are upserted by the API's keys (``bulk_create(update_conflicts=True, ...)``), so a re-run
creates nothing; a row counts as *updated* only when one of its values changed (``synced_at``,
"last confirmed by GoTo", is refreshed on every row seen but is not a change). History is
never deleted: an organizer gone from GoTo gets ``deleted_at``, an upcoming meeting gone from
GoTo gets ``removed_at``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditOutcome
from gotomeeting.errors import ApiError, InvalidRequest, NotFound
from gotomeeting.models import MeetingStatus
from gotomeeting.windows import MAX_WINDOW_DAYS, split_windows
from meetings.models import Attendee, Meeting, MeetingInstance
from meetings.rollups import rollups_kept
from organizers.models import Group, Organizer
from portal.bulk import commit_without_waiting_for_disk, upsert_rows

from .locks import SyncLock, lock_is_held
from .models import SyncArea, SyncOutcome, SyncRun

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient
    from gotomeeting import models as api

logger = logging.getLogger(__name__)

# GoTo answers group-scoped calls only for groups of at most this many organizers.
GROUP_SCOPED_MAX_ORGANIZERS = 50
LIVE_LOCK_SECONDS = 5 * 60
BROKER_CHECK_SECONDS = 1
ABANDONED = "Did not finish: the process running it stopped, or no worker picked it up."
_CHUNK = 500
JOIN_URL = "https://global.gotomeeting.com/join/{meeting_id}"

Progress = Callable[[str], None]


class SyncUnavailable(Exception):
    """A sync could not be started (the task queue or the lock store is unreachable)."""


# --- Run bookkeeping ------------------------------------------------------------------------


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
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text and name not in text else (text or name)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


# --- Generic upsert ---------------------------------------------------------------------------


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _upsert(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    key: str,
    fields: Sequence[str],
    now: datetime,
    keep_if_none: Sequence[str] = (),
    create_only: dict[str, Callable[[dict], Any]] | None = None,
) -> tuple[int, int]:
    """Insert or update ``rows`` (dicts of field values) by the unique field ``key``.

    Returns (created, updated): updated counts only rows whose ``fields`` changed. A value in
    ``keep_if_none`` that is None in the row keeps what the cache has (a link not yet
    resolvable). ``create_only`` fills fields of new rows only.
    """
    by_key = {row[key]: row for row in rows}  # the last answer wins; no key twice in a batch
    if not by_key:
        return 0, 0
    existing: dict[Any, dict] = {}
    for keys in _chunks(list(by_key)):
        for old in model.objects.filter(**{f"{key}__in": keys}).values(key, *fields):
            existing[old[key]] = old
    new_rows: list[dict] = []  # may carry create_only fields, so written apart
    changed: list[dict] = []
    unchanged: list[Any] = []
    for value, row in by_key.items():
        old = existing.get(value)
        if old is None:
            for name, make in (create_only or {}).items():
                row[name] = make(row)
            new_rows.append({**row, "synced_at": now})
            continue
        for name in keep_if_none:
            if row.get(name) is None and old.get(name) is not None:
                row[name] = old[name]
        if any(old[name] != row[name] for name in fields):
            changed.append({**row, "synced_at": now})
        else:
            unchanged.append(value)
    for batch in (new_rows, changed):
        upsert_rows(model, batch, unique=[key], update=[*fields, "synced_at"])
    for keys in _chunks(unchanged):
        model.objects.filter(**{f"{key}__in": keys}).update(synced_at=now)
    return len(new_rows), len(changed)


def _text(value: str | None, length: int) -> str:
    return (value or "")[:length]


def _enum_value(value: Any, default: str = "") -> str:
    return getattr(value, "value", None) or default


# --- Organizers and groups --------------------------------------------------------------------


def organizers_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh groups (``get_groups``) and organizers (``get_organizers``) with their status.

    An organizer cached but no longer returned gets ``deleted_at`` (never removed, so its
    meetings keep their owner); a pending organizer (no key) is matched by email.
    """
    with _Recorder(
        area=SyncArea.ORGANIZERS, client=client, triggered_by=triggered_by, run=run
    ) as rec:
        if rec.skipped:
            return rec.run
        api_groups = client.get_groups()
        api_organizers = client.get_organizers()
        now = timezone.now()
        with transaction.atomic():
            group_counts = _upsert_groups(api_groups, api_organizers, now=now)
            organizer_counts = _upsert_organizers(api_organizers, now=now)
            linked = _link_orphan_meetings()
            rec.record(
                group_counts[0] + organizer_counts[0],
                group_counts[1] + organizer_counts[1] + linked,
                progress=1,
            )
        _say(
            progress,
            f"organizers: {len(api_groups)} groups, {len(api_organizers)} organizers from GoTo; "
            f"{rec.run.rows_created} created, {rec.run.rows_updated} updated",
        )
    return rec.run


def _upsert_groups(
    api_groups: Sequence[api.Group], api_organizers: Sequence[api.Organizer], *, now: datetime
) -> tuple[int, int]:
    members: dict[int, int] = {}
    for organizer in api_organizers:
        if organizer.group_key is not None:
            members[organizer.group_key] = members.get(organizer.group_key, 0) + 1
    before = {
        row["group_key"]: row
        for row in Group.objects.values("group_key", "name", "status", "num_organizers", "parent")
    }
    rows = {
        group.group_key: {
            "group_key": group.group_key,
            "name": _text(group.name, 255) or str(group.group_key),
            "status": _text(group.status, 32),
            "num_organizers": group.num_organizers
            if group.num_organizers is not None
            else members.get(group.group_key, 0),
        }
        for group in api_groups
    }
    fields = ["name", "status", "num_organizers"]
    Group.objects.bulk_create(
        [Group(**row, synced_at=now) for row in rows.values()],
        update_conflicts=True,
        unique_fields=["group_key"],
        update_fields=[*fields, "synced_at"],
    )
    ids = dict(Group.objects.filter(group_key__in=list(rows)).values_list("group_key", "id"))
    parents = {
        group.group_key: ids.get(group.parent_key) if group.parent_key is not None else None
        for group in api_groups
    }
    for group_key, parent_id in parents.items():
        if before.get(group_key, {}).get("parent") != parent_id:
            Group.objects.filter(group_key=group_key).update(parent_id=parent_id)
    created = sum(1 for group_key in rows if group_key not in before)
    updated = sum(
        1
        for group_key, row in rows.items()
        if group_key in before
        and (
            any(before[group_key][name] != row[name] for name in fields)
            or before[group_key]["parent"] != parents[group_key]
        )
    )
    return created, updated


_ORGANIZER_FIELDS = (
    "organizer_key",
    "email",
    "first_name",
    "last_name",
    "group_id",
    "status",
    "products",
    "max_attendees",
    "deleted_at",
)


def _upsert_organizers(
    api_organizers: Sequence[api.Organizer], *, now: datetime
) -> tuple[int, int]:
    group_ids = dict(Group.objects.values_list("group_key", "id"))
    cached = list(Organizer.objects.values("id", *_ORGANIZER_FIELDS))
    by_key = {row["organizer_key"]: row for row in cached if row["organizer_key"] is not None}
    by_email = {row["email"].lower(): row for row in cached}
    seen: set[int] = set()
    changed: list[Organizer] = []
    new: dict[str, dict] = {}
    for organizer in api_organizers:
        if not organizer.email and organizer.organizer_key is None:
            continue
        values = {
            "organizer_key": organizer.organizer_key,
            "email": _text(organizer.email, 254),
            "first_name": _text(organizer.first_name, 100),
            "last_name": _text(organizer.last_name, 100),
            "group_id": group_ids.get(organizer.group_key),
            "status": _enum_value(organizer.status, "active"),
            "products": ",".join(product.value for product in organizer.products)[:64],
            "max_attendees": organizer.max_attendees,
            "deleted_at": None,
        }
        match = by_key.get(organizer.organizer_key) if organizer.organizer_key else None
        if match is None:
            # A pending organizer, or one who just confirmed: the email is what we know.
            match = by_email.get(values["email"].lower())
            if match is not None and match["organizer_key"] not in (
                None,
                organizer.organizer_key,
            ):
                logger.warning(
                    "Organizer %s now has key %s (was %s)",
                    values["email"],
                    organizer.organizer_key,
                    match["organizer_key"],
                )
        if match is None:
            new[values["email"].lower()] = values
            continue
        if match["id"] in seen:  # the API listed one person twice
            continue
        seen.add(match["id"])
        owner = by_email.get(values["email"].lower())
        if owner is not None and owner["id"] != match["id"]:
            # The new address is still on another cached row (say a deleted organizer's):
            # keep the old address rather than break the sync on the unique email.
            logger.warning("Organizer %s: email %s is taken", match["id"], values["email"])
            values["email"] = match["email"]
        if any(match[name] != values[name] for name in _ORGANIZER_FIELDS):
            changed.append(Organizer(id=match["id"], synced_at=now, **values))
    for batch in _chunks(changed):
        Organizer.objects.bulk_update(batch, [*_ORGANIZER_FIELDS, "synced_at"])
    changed_ids = {organizer.id for organizer in changed}
    unchanged = [row_id for row_id in seen if row_id not in changed_ids]
    for ids in _chunks(unchanged):
        Organizer.objects.filter(id__in=ids).update(synced_at=now)
    for batch in _chunks(list(new.values())):
        Organizer.objects.bulk_create(
            [Organizer(**values, synced_at=now) for values in batch],
            update_conflicts=True,
            unique_fields=["email"],
            update_fields=[name for name in _ORGANIZER_FIELDS if name != "email"] + ["synced_at"],
        )
    gone = [row["id"] for row in cached if row["id"] not in seen and row["deleted_at"] is None]
    for ids in _chunks(gone):
        Organizer.objects.filter(id__in=ids).update(deleted_at=now)
    return len(new), len(changed) + len(gone)


def _link_orphan_meetings() -> int:
    """Link meetings and instances whose organizer is now cached (by ``organizer_key``)."""
    linked = 0
    moving = MeetingInstance.objects.filter(
        Q(organizer__isnull=True, organizer_key__in=Organizer.objects.values("organizer_key"))
        | Q(group__isnull=True, organizer__group__isnull=False)
    )
    with transaction.atomic(), rollups_kept(instance_ids=moving.values_list("pk", flat=True)):
        for model in (MeetingInstance, Meeting):
            owner = Organizer.objects.filter(organizer_key=OuterRef("organizer_key"))
            orphans = model.objects.filter(
                organizer__isnull=True, organizer_key__isnull=False
            ).filter(organizer_key__in=Organizer.objects.values("organizer_key"))
            linked += orphans.update(organizer_id=Subquery(owner.values("id")[:1]))
        owner_group = Organizer.objects.filter(pk=OuterRef("organizer_id"), group__isnull=False)
        linked += MeetingInstance.objects.filter(
            group__isnull=True, organizer__group__isnull=False
        ).update(group_id=Subquery(owner_group.values("group_id")[:1]))
    return linked


# --- Meeting history --------------------------------------------------------------------------


def history_cursor(*, group: Group) -> datetime | None:
    """Where the group's history is synced up to: the end of the last window that committed."""
    return SyncRun.objects.filter(
        area=SyncArea.HISTORY,
        key=str(group.group_key),
        window_end__isnull=False,
        advances_cursor=True,
    ).aggregate(end=Max("window_end"))["end"]


def history_windows(
    *, group: Group, since: datetime | None = None, now: datetime | None = None
) -> list[tuple[datetime, datetime]]:
    """The windows (≤ 60 days each) the next history run of ``group`` asks for.

    From ``since`` if given; else from the cursor minus ``SYNC_OVERLAP_HOURS`` (so nothing at
    the edge is missed); a group never synced back-fills ``SYNC_BACKFILL_DAYS``.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    if since is None:
        cursor = history_cursor(group=group)
        if cursor is None:
            since = now - timedelta(days=settings.SYNC_BACKFILL_DAYS)
        else:
            since = cursor - timedelta(hours=settings.SYNC_OVERLAP_HOURS)
    if since >= now:
        return []
    return split_windows(since, now, MAX_WINDOW_DAYS)


def _uses_per_organizer_calls(group: Group) -> bool:
    if group.num_organizers > GROUP_SCOPED_MAX_ORGANIZERS:
        return True
    return (
        Organizer.objects.filter(group=group, deleted_at__isnull=True).count()
        > GROUP_SCOPED_MAX_ORGANIZERS
    )


def _group_organizer_keys(group: Group) -> list[int]:
    return list(
        Organizer.objects.filter(
            group=group, organizer_key__isnull=False, deleted_at__isnull=True
        ).values_list("organizer_key", flat=True)
    )


def _per_organizer(
    group: Group, call: Callable[[int], list], *, what: str
) -> tuple[list, list[int]]:
    """Call ``call(organizer_key)`` for each organizer of ``group``; NotFound = gone, skip."""
    items: list = []
    covered: list[int] = []
    for organizer_key in _group_organizer_keys(group):
        try:
            items += call(organizer_key)
        except NotFound:
            logger.info("%s: organizer %s not found at GoTo, skipped", what, organizer_key)
        covered.append(organizer_key)
    return items, covered


def _fetch_history(
    client: GoToMeetingClient, group: Group, start: datetime, end: datetime
) -> tuple[list[api.HistoricalMeeting], bool]:
    """The group's history of one window, and whether it took per-organizer calls."""

    def per_organizer() -> list:
        return _per_organizer(
            group,
            lambda key: client.get_organizer_historical_meetings(key, start, end),
            what="history",
        )[0]

    if _uses_per_organizer_calls(group):
        return per_organizer(), True
    try:
        return client.get_group_historical_meetings(group.group_key, start, end), False
    except InvalidRequest:
        # More than 50 organizers (the count we had was stale): ask each organizer instead.
        logger.info("history: group %s refused the group-scoped call", group.group_key)
        return per_organizer(), True


_INSTANCE_FIELDS = (
    "meeting_id",
    "organizer_id",
    "organizer_key",
    "group_id",
    "subject",
    "start_time",
    "end_time",
    "duration_minutes",
    "num_attendees",
    "meeting_type",
    "conference_call_info",
    "session_id",
)


def _end_time(item: api.HistoricalMeeting) -> datetime:
    """When a history row's meeting ended (its start plus its duration if GoTo left it out)."""
    if item.end_time is not None:
        return item.end_time
    return item.start_time + timedelta(minutes=item.duration or 0)


def _upsert_instances(
    items: Sequence[api.HistoricalMeeting], *, group: Group, now: datetime
) -> tuple[int, int]:
    keys = {item.organizer_key for item in items if item.organizer_key is not None}
    owners = {
        row["organizer_key"]: row
        for row in Organizer.objects.filter(organizer_key__in=keys).values(
            "id", "organizer_key", "group_id"
        )
    }
    names = {item.group_name for item in items if item.group_name}
    by_name: dict[str, int | None] = {}
    for group_id, name in Group.objects.filter(name__in=names).values_list("id", "name"):
        by_name[name] = None if name in by_name else group_id  # an ambiguous name says nothing
    rows = []
    for item in items:
        if item.start_time is None:
            logger.warning("history: instance %s has no start time", item.meeting_instance_key)
            continue
        owner = owners.get(item.organizer_key)
        group_id = (owner or {}).get("group_id") or by_name.get(item.group_name) or group.pk
        duration = item.duration
        end_time = _end_time(item)
        if duration is None:
            duration = max(0, round((end_time - item.start_time).total_seconds() / 60))
        rows.append(
            {
                "instance_key": item.meeting_instance_key,
                "meeting_id": item.meeting_id,
                "organizer_id": owner["id"] if owner else None,
                "organizer_key": item.organizer_key,
                "group_id": group_id,
                "subject": _text(item.subject, 255),
                "start_time": item.start_time,
                "end_time": end_time,
                "duration_minutes": max(0, duration),
                "num_attendees": max(0, item.num_attendees or 0),
                "meeting_type": _enum_value(item.meeting_type),
                "conference_call_info": _text(item.conference_call_info, 255),
                "session_id": _text(item.session_id, 64),
            }
        )
    return _upsert(
        MeetingInstance,
        rows,
        key="instance_key",
        fields=_INSTANCE_FIELDS,
        now=now,
        keep_if_none=("organizer_id",),
    )


def _continues_cursor(group: Group, start: datetime, now: datetime) -> bool:
    """Whether a run starting at ``start`` leaves no gap after what is already synced (a
    ``--since`` later than the cursor, or than the back-fill start, must not move it)."""
    cursor = history_cursor(group=group)
    if cursor is None:
        cursor = now - timedelta(days=settings.SYNC_BACKFILL_DAYS)
    return start <= cursor


def group_history_sync(
    *,
    client: GoToMeetingClient,
    group: Group,
    since: datetime | None = None,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Sync one group's meeting history, window by window (see :func:`history_windows`),
    with the attendees of the window's meetings.

    After a window's history is fetched, the attendees of its ended meetings not yet synced
    are fetched for the same window: one group call, or for a group of more than 50
    organizers one call per organizer who hosted such a meeting (as the history falls back).
    A window's meeting instances, their attendees (``attendees_synced_at`` and
    ``attendee_minutes`` set) and the run's ``window_end`` commit together, so an interrupted
    run keeps its finished windows and the next run continues from the last one. The run's
    counts and API calls cover both.
    """
    with _Recorder(
        area=SyncArea.HISTORY,
        key=str(group.group_key),
        client=client,
        triggered_by=triggered_by,
        run=run,
    ) as rec:
        if rec.skipped:
            _say(progress, f"history {group.name}: already running, skipped")
            return rec.run
        now = timezone.now().replace(microsecond=0)
        windows = history_windows(group=group, since=since, now=now)
        if windows:
            rec.run.window_start = windows[0][0]
            rec.run.advances_cursor = _continues_cursor(group, windows[0][0], now)
            rec.run.save(update_fields=["window_start", "advances_cursor"])
        for number, (start, end) in enumerate(windows, start=1):
            items, per_organizer = _fetch_history(client, group, start, end)
            wanted = _needing_attendees(items, now=timezone.now())
            answer = _fetch_window_attendees(
                client,
                group,
                start,
                end,
                hosts={item.organizer_key for item in wanted.values()},
                per_organizer=per_organizer,
            )
            with (
                transaction.atomic(),
                rollups_kept(instance_keys=[item.meeting_instance_key for item in items]),
            ):
                commit_without_waiting_for_disk()  # the window is fetched again if lost
                created, updated = _upsert_instances(items, group=group, now=timezone.now())
                # The answer covers every meeting of the window (the same scope as its
                # history): a meeting it has no attendee of had none.
                targets = [key for key, item in wanted.items() if answer.covers(item.organizer_key)]
                stored = _store_attendees(answer.attendees, instance_keys=targets)
                rec.record(
                    created + stored.created,
                    updated + stored.updated,
                    progress=number / len(windows),
                    window_end=end,
                )
            _warn_if_missing(stored, wanted, group=group, where=f"{start:%Y-%m-%d}")
            _say(
                progress,
                f"history {group.name}: window {number}/{len(windows)} "
                f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M}: {len(items)} meetings, "
                f"{created} created, {updated} updated; attendees of {stored.instances} "
                f"meetings: {stored.created} created, {stored.updated} updated",
            )
    return rec.run


def history_sync(
    *,
    client: GoToMeetingClient,
    since: datetime | None = None,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Sync the meeting history of every group (each group in its own locked run).

    A group that fails does not stop the others; the first failure is raised at the end so the
    task is retried (the groups that succeeded then ask only for their small overlap).
    """
    with _Recorder(area=SyncArea.HISTORY, client=client, triggered_by=triggered_by, run=run) as rec:
        if rec.skipped:
            _say(progress, "history: already running, skipped")
            return rec.run
        groups = list(Group.objects.order_by("name", "pk"))
        failure: BaseException | None = None
        for number, group in enumerate(groups, start=1):
            try:
                group_run = group_history_sync(
                    client=client,
                    group=group,
                    since=since,
                    triggered_by=rec.run.triggered_by,
                    progress=progress,
                )
            except (ApiError, SyncUnavailable) as exc:
                failure = failure or exc
                _say(progress, f"history {group.name}: failed: {_describe(exc)}")
                continue
            rec.record(
                group_run.rows_created, group_run.rows_updated, progress=number / len(groups)
            )
        if failure is not None:
            raise failure
    return rec.run


# --- Attendees --------------------------------------------------------------------------------
#
# Attendees are fetched per group and window, not per meeting instance: the history sync asks
# for a window's attendees right after its meetings (group_history_sync), and attendees_sync
# catches up what that left; only an instance no group-wide answer can settle is asked alone.


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
                instance_key__in=keys, attendees_synced_at__isnull=False
            ).values_list("instance_key", flat=True)
        )
    return {key: item for key, item in ended.items() if key not in done}


def _store_attendees(attendees: Iterable[api.Attendee], *, instance_keys: Iterable[int]) -> _Stored:
    """Upsert the attendees of the cached instances ``instance_keys`` (rows of other instances
    are ignored) and mark those instances synced: ``attendees_synced_at`` now and
    ``attendee_minutes`` the sum of their cached attendees' minutes (0 without any).

    Rows are identified by (instance, email, join time); one counts as updated only when its
    name, leave time or minutes changed. Call it inside a transaction.
    """
    stored = _Stored()
    instances: dict[int, tuple[int, datetime]] = {}
    for keys in _chunks(list(set(instance_keys))):
        for pk, key, start in MeetingInstance.objects.filter(instance_key__in=keys).values_list(
            "pk", "instance_key", "start_time"
        ):
            instances[key] = (pk, start)
    if not instances:
        return stored
    rows: dict[tuple[int, str, datetime], dict] = {}
    for attendee in attendees:
        target = instances.get(attendee.meeting_instance_key)
        if target is None:
            continue
        instance_id, start = target
        join_time = attendee.join_time or start
        email = _text(attendee.attendee_email, 254)
        duration = attendee.duration
        if duration is None and attendee.leave_time is not None:
            duration = round((attendee.leave_time - join_time).total_seconds() / 60)
        rows[(instance_id, email, join_time)] = {
            "instance_id": instance_id,
            "email": email,
            "join_time": join_time,
            "name": _text(attendee.attendee_name, 255),
            "leave_time": attendee.leave_time,
            "duration_minutes": max(0, duration or 0),
        }
        stored.with_rows.add(attendee.meeting_instance_key)
    fields = ("name", "leave_time", "duration_minutes")
    existing: dict[tuple[int, str, datetime], dict] = {}
    for ids in _chunks(sorted({identity[0] for identity in rows})):
        for old in Attendee.objects.filter(instance_id__in=ids).values(
            "instance_id", "email", "join_time", *fields
        ):
            existing[(old["instance_id"], old["email"], old["join_time"])] = old
    stored.created = sum(1 for identity in rows if identity not in existing)
    to_write = [
        row
        for identity, row in rows.items()
        if identity not in existing or any(existing[identity][f] != row[f] for f in fields)
    ]
    stored.updated = len(to_write) - stored.created
    upsert_rows(Attendee, to_write, unique=["instance", "email", "join_time"], update=fields)
    # One UPDATE per chunk: each instance's attendee-minutes summed in the database.
    minutes = (
        Attendee.objects.filter(instance_id=OuterRef("pk"))
        .order_by()
        .values("instance_id")
        .annotate(total=Sum("duration_minutes"))
        .values("total")
    )
    now = timezone.now()
    for chunk in _chunks([instance_id for instance_id, _ in instances.values()]):
        MeetingInstance.objects.filter(pk__in=chunk).update(
            attendee_minutes=Coalesce(Subquery(minutes), 0), attendees_synced_at=now
        )
    stored.marked = set(instances)
    return stored


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


# --- Scheduled and live meetings --------------------------------------------------------------


@dataclass
class _Upcoming:
    meetings: dict[int, api.ScheduledMeeting] = field(default_factory=dict)
    covered_keys: set[int] = field(default_factory=set)


def _fetch_upcoming(
    client: GoToMeetingClient, rec: _Recorder, progress: Progress | None, label: str
) -> _Upcoming:
    """Every group's upcoming meetings (per organizer for a group of more than 50)."""
    found = _Upcoming()
    groups = list(Group.objects.order_by("name", "pk"))
    for number, group in enumerate(groups, start=1):
        items: list = []
        if not _uses_per_organizer_calls(group):
            try:
                items = client.get_group_upcoming_meetings(group.group_key)
                found.covered_keys.update(_group_organizer_keys(group))
            except InvalidRequest:
                logger.info("%s: group %s refused the group-scoped call", label, group.group_key)
                items = None
        else:
            items = None
        if items is None:
            items, covered = _per_organizer(
                group, client.get_organizer_upcoming_meetings, what=label
            )
            found.covered_keys.update(covered)
        for item in items:
            found.meetings[item.meeting_id] = item
        rec.record(progress=number / (len(groups) + 1))
        _say(progress, f"{label} {group.name}: {len(items)} upcoming meetings")
    # Organizers deleted at GoTo have no upcoming meetings left.
    found.covered_keys.update(
        Organizer.objects.filter(deleted_at__isnull=False, organizer_key__isnull=False).values_list(
            "organizer_key", flat=True
        )
    )
    return found


_MEETING_FIELDS = (
    "organizer_id",
    "organizer_key",
    "subject",
    "start_time",
    "end_time",
    "meeting_type",
    "password_required",
    "conference_call_info",
    "unique_meeting_id",
    "max_participants",
    "is_live",
    "removed_at",
)


def _upsert_meetings(items: Iterable[api.ScheduledMeeting], *, now: datetime) -> tuple[int, int]:
    items = list(items)
    keys = {item.organizer_key for item in items if item.organizer_key is not None}
    owners = dict(
        Organizer.objects.filter(organizer_key__in=keys).values_list("organizer_key", "id")
    )
    rows = []
    for item in items:
        if item.start_time is None:
            logger.warning("scheduled: meeting %s has no start time", item.meeting_id)
            continue
        rows.append(
            {
                "meeting_id": item.meeting_id,
                "organizer_id": owners.get(item.organizer_key),
                "organizer_key": item.organizer_key,
                "subject": _text(item.subject, 255),
                "start_time": item.start_time,
                "end_time": item.end_time or item.start_time,
                "meeting_type": _enum_value(item.meeting_type, "scheduled"),
                "password_required": bool(item.password_required),
                "conference_call_info": _text(item.conference_call_info, 255),
                "unique_meeting_id": item.unique_meeting_id,
                "max_participants": item.max_participants,
                "is_live": item.status == MeetingStatus.ACTIVE,
                "removed_at": None,
            }
        )
    return _upsert(
        Meeting,
        rows,
        key="meeting_id",
        fields=_MEETING_FIELDS,
        now=now,
        keep_if_none=("organizer_id", "organizer_key", "unique_meeting_id", "max_participants"),
        create_only={"join_url": lambda row: JOIN_URL.format(meeting_id=row["meeting_id"])},
    )


def scheduled_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh scheduled meetings; those no longer upcoming at GoTo get ``removed_at``."""
    with _Recorder(
        area=SyncArea.SCHEDULED, client=client, triggered_by=triggered_by, run=run
    ) as rec:
        if rec.skipped:
            return rec.run
        found = _fetch_upcoming(client, rec, progress, "scheduled")
        now = timezone.now()
        with transaction.atomic():
            created, updated = _upsert_meetings(found.meetings.values(), now=now)
            gone = (
                Meeting.objects.filter(removed_at__isnull=True)
                .filter(
                    Q(organizer_key__in=found.covered_keys)
                    | Q(organizer__organizer_key__in=found.covered_keys)
                )
                .exclude(meeting_id__in=list(found.meetings))
            )
            removed = gone.update(removed_at=now, is_live=False)
            rec.record(created, updated + removed, progress=1)
        _say(progress, f"scheduled: {created} created, {updated} updated, {removed} removed")
    return rec.run


def live_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh which meetings are running now (status ACTIVE).

    A meeting cached as live but absent from the upcoming lists is checked with
    ``get_meeting`` (gone = not live).
    """
    with _Recorder(
        area=SyncArea.LIVE,
        client=client,
        triggered_by=triggered_by,
        run=run,
        lock_timeout=LIVE_LOCK_SECONDS,
    ) as rec:
        if rec.skipped:
            return rec.run
        found = _fetch_upcoming(client, rec, progress, "live")
        with transaction.atomic():
            created, updated = _upsert_meetings(found.meetings.values(), now=timezone.now())
            rec.record(created, updated)
        unseen = Meeting.objects.filter(is_live=True).exclude(meeting_id__in=list(found.meetings))
        ended = 0
        for meeting_id in list(unseen.values_list("meeting_id", flat=True)):
            try:
                still_live = client.get_meeting(meeting_id).status == MeetingStatus.ACTIVE
            except NotFound:
                still_live = False
            if not still_live:
                with transaction.atomic():
                    ended += Meeting.objects.filter(meeting_id=meeting_id, is_live=True).update(
                        is_live=False, synced_at=timezone.now()
                    )
                    rec.record(updated=1)
        live = sum(1 for item in found.meetings.values() if item.status == MeetingStatus.ACTIVE)
        _say(progress, f"live: {live} meetings running now; {ended} ended since the last run")
    return rec.run


# --- Triggering from the portal ---------------------------------------------------------------


def interactive_queue() -> str:
    """The queue "Refresh now" sends to (a worker should consume it ahead of "sync")."""
    return getattr(settings, "SYNC_INTERACTIVE_QUEUE", "interactive")


def _area_task(area: str):
    from meetings import tasks as meeting_tasks
    from organizers import tasks as organizer_tasks

    return {
        SyncArea.ORGANIZERS: organizer_tasks.sync_organizers_task,
        SyncArea.HISTORY: meeting_tasks.sync_history_task,
        SyncArea.ATTENDEES: meeting_tasks.sync_attendees_task,
        SyncArea.SCHEDULED: meeting_tasks.sync_scheduled_task,
        SyncArea.LIVE: meeting_tasks.sync_live_task,
    }[SyncArea(area)]


@dataclass(frozen=True)
class TriggerResult:
    run: SyncRun
    already_running: bool


def sync_trigger(*, area: str, acting_user) -> TriggerResult:
    """Enqueue a "Refresh now" of ``area`` on the interactive queue; audit "sync.trigger".

    Returns the SyncRun the task will fill (its page polls it). When a run of the area holds
    the lock, records a skipped run instead ("already running"). Raises
    :class:`SyncUnavailable` when the task cannot be enqueued (Redis or the broker is down);
    nothing else changes then but the failed run and its audit entry.
    """
    area = SyncArea(area)
    who = getattr(acting_user, "email", "") or str(acting_user)
    try:
        busy = lock_is_held(area)
    except Exception:  # the lock store is down; the enqueue below will say so
        busy = False
    if busy:
        with transaction.atomic():
            run = SyncRun.objects.create(
                area=area,
                triggered_by=who,
                outcome=SyncOutcome.SKIPPED,
                finished_at=timezone.now(),
                error="already running",
            )
            audit_record(
                actor=acting_user,
                action="sync.trigger",
                target=run,
                target_label=f"Refresh {area.label}",
                detail="already running",
            )
        return TriggerResult(run=run, already_running=True)
    with transaction.atomic():
        run = SyncRun.objects.create(area=area, triggered_by=who)
        audit_record(
            actor=acting_user,
            action="sync.trigger",
            target=run,
            target_label=f"Refresh {area.label}",
            detail=f"queued on {interactive_queue()}",
        )
    try:
        _enqueue(area, run)
    except Exception as exc:
        message = f"Could not queue the refresh: the task queue is unreachable ({_describe(exc)})"
        SyncRun.objects.filter(pk=run.pk).update(
            outcome=SyncOutcome.FAILED, error=message, finished_at=timezone.now()
        )
        audit_record(
            actor=acting_user,
            action="sync.trigger",
            target=run,
            target_label=f"Refresh {area.label}",
            outcome=AuditOutcome.FAILURE,
            detail=message,
        )
        raise SyncUnavailable(message) from exc
    return TriggerResult(run=run, already_running=False)


def _enqueue(area: str, run: SyncRun) -> None:
    """Send the task; fail within seconds (kombu OperationalError) when the broker is down."""
    from kombu.exceptions import OperationalError

    from portal.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CHECK_SECONDS)
            _area_task(area).apply_async(
                kwargs={"run_id": run.pk, "triggered_by": run.triggered_by},
                queue=interactive_queue(),
                retry=False,
                connection=connection,
            )
    except OperationalError:
        raise
    except OSError as exc:  # a refused connection not wrapped by kombu
        raise OperationalError(str(exc)) from exc
