"""The history pass: each group's meeting history, window by window from its cursor, with the
attendees of each window's meetings.

History is never deleted; each window commits on its own, so an interrupted back-fill keeps
what it wrote and the next run continues from the last window.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gotomeeting.errors import ApiError, InvalidRequest
from gotomeeting.windows import MAX_WINDOW_DAYS, split_windows
from meetings.models import MeetingInstance
from meetings.rollups import rollups_kept
from organizers.models import Group, Organizer
from portal.bulk import commit_without_waiting_for_disk

from .. import activity
from ..models import SyncArea, SyncRun
from .attendees import (
    _attendee_minutes_of_new,
    _fetch_window_attendees,
    _needing_attendees,
    _stays,
    _store_attendees,
    _warn_if_missing,
)
from .groups import _per_organizer, _uses_per_organizer_calls
from .rows import _end_time, _enum_value, _text, _upsert
from .runs import Progress, SyncUnavailable, _describe, _Recorder, _say

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient
    from gotomeeting import models as api

logger = logging.getLogger(__name__)


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


def _fetch_history(
    client: GoToMeetingClient,
    group: Group,
    start: datetime,
    end: datetime,
    *,
    only: set[int] | None = None,
) -> tuple[list[api.HistoricalMeeting], bool]:
    """The group's history of one window, and whether it took per-organizer calls (asking
    only the organizers in ``only`` if given, see :func:`sync.activity.history_candidates`)."""

    def per_organizer() -> list:
        return _per_organizer(
            group,
            lambda key: client.get_organizer_historical_meetings(key, start, end),
            what="history",
            only=only,
        )[0]

    if only is not None or _uses_per_organizer_calls(group):
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


def _upsert_instances(
    items: Sequence[api.HistoricalMeeting],
    *,
    group: Group,
    now: datetime,
    attendee_minutes: dict[int, int] | None = None,
) -> tuple[int, int]:
    """Upsert the history rows ``items``; a new instance in ``attendee_minutes`` (instance
    key: minutes, :func:`_attendee_minutes_of_new`) is created marked synced with them."""
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
    minutes = attendee_minutes or {}
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
        create_only={
            "attendee_minutes": lambda row: minutes.get(row["instance_key"], 0),
            "attendees_synced_at": lambda row: now if row["instance_key"] in minutes else None,
        },
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
        only = _history_candidates(group, since=since, windows=windows, now=now)
        if windows:
            rec.run.window_start = windows[0][0]
            # Only a pass that asked everyone moves the cursor (the next full pass starts there).
            rec.run.advances_cursor = only is None and _continues_cursor(group, windows[0][0], now)
            rec.run.save(update_fields=["window_start", "advances_cursor"])
        if only is not None:
            _say(progress, f"history {group.name}: asking {len(only)} candidate organizers")
        for number, (start, end) in enumerate(windows, start=1):
            items, per_organizer = _fetch_history(client, group, start, end, only=only)
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
                # The answer covers every meeting of the window (the same scope as its
                # history): a meeting it has no attendee of had none.
                targets = [key for key, item in wanted.items() if answer.covers(item.organizer_key)]
                # A new instance is created marked synced, not written twice.
                stays = _stays(answer.attendees, {key: wanted[key].start_time for key in targets})
                minutes = _attendee_minutes_of_new(stays, targets)
                created, updated = _upsert_instances(
                    items, group=group, now=timezone.now(), attendee_minutes=minutes
                )
                stored = _store_attendees(
                    instance_keys=targets, stays=stays, created_marked=minutes
                )
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


def _history_candidates(
    group: Group, *, since: datetime | None, windows: list[tuple[datetime, datetime]], now: datetime
) -> set[int] | None:
    """The organizers an incremental pass of a group over 50 organizers asks, between two
    full passes (:func:`sync.activity.history_candidates`); None: ask every organizer (a group
    call, a back-fill, an explicit ``since``, or a full pass due)."""
    if since is not None or not windows or not _uses_per_organizer_calls(group):
        return None
    if activity.history_sweep_due(cursor=history_cursor(group=group), now=now):
        return None
    return activity.history_candidates(group=group, since=windows[0][0], until=now)


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
