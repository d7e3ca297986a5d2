"""The scheduled pass: every group's upcoming meetings; those gone from GoTo get ``removed_at``.

The upserting of upcoming meetings and the removal rule here are shared with the live pass,
whose sweep covers the organizers of groups over 50 (see :func:`scheduled_sync`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gotomeeting.errors import InvalidRequest
from gotomeeting.models import MeetingStatus
from meetings.models import Meeting
from organizers.models import Group, Organizer

from .. import activity
from ..models import SyncArea, SyncRun
from .groups import _group_organizer_keys, _per_organizer, _uses_per_organizer_calls
from .rows import _enum_value, _text, _upsert
from .runs import Progress, _Recorder, _say

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient
    from gotomeeting import models as api

logger = logging.getLogger(__name__)

JOIN_URL = "https://global.gotomeeting.com/join/{meeting_id}"


@dataclass
class _Upcoming:
    meetings: dict[int, api.ScheduledMeeting] = field(default_factory=dict)
    covered_keys: set[int] = field(default_factory=set)


def _fetch_upcoming(
    client: GoToMeetingClient,
    rec: _Recorder,
    progress: Progress | None,
    label: str,
    *,
    only: frozenset[int] | None = None,
) -> _Upcoming:
    """Every group's upcoming meetings (per organizer for a group of more than 50: of them
    only those in ``only`` if given)."""
    found = _Upcoming()
    groups = list(Group.objects.order_by("name", "pk"))
    for number, group in enumerate(groups, start=1):
        items: list = []
        big = _uses_per_organizer_calls(group)
        if not big:
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
                group,
                client.get_organizer_upcoming_meetings,
                what=label,
                only=set(only) if big and only is not None else None,
            )
            found.covered_keys.update(covered)
        for item in items:
            found.meetings[item.meeting_id] = item
        rec.record(progress=number / (len(groups) + 1))
        if big and only is not None and not only:
            _say(progress, f"{label} {group.name}: left to the live sweep")
            continue
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


def _remove_gone(found: _Upcoming, *, now: datetime) -> int:
    """Give ``removed_at`` to the cached meetings of the organizers ``found`` covers that GoTo
    no longer lists as upcoming (deleted, or held and over); the number of them."""
    gone = (
        Meeting.objects.filter(removed_at__isnull=True)
        .filter(
            Q(organizer_key__in=found.covered_keys)
            | Q(organizer__organizer_key__in=found.covered_keys)
        )
        .exclude(meeting_id__in=list(found.meetings))
    )
    return gone.update(removed_at=now, is_live=False)


def scheduled_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh scheduled meetings; those no longer upcoming at GoTo get ``removed_at``.

    While the live sweep asks every organizer each ``SYNC_LIVE_SWEEP_SECONDS`` (and applies
    these same rules), the organizers of groups over 50 are left to it
    (:func:`sync.activity.live_sweep_covered_everyone`); only meetings of the organizers this
    pass asked may get ``removed_at``.
    """
    with _Recorder(
        area=SyncArea.SCHEDULED, client=client, triggered_by=triggered_by, run=run
    ) as rec:
        if rec.skipped:
            return rec.run
        swept = activity.live_sweep_covered_everyone(now=timezone.now())
        found = _fetch_upcoming(
            client, rec, progress, "scheduled", only=frozenset() if swept else None
        )
        now = timezone.now()
        with transaction.atomic():
            created, updated = _upsert_meetings(found.meetings.values(), now=now)
            removed = _remove_gone(found, now=now)
            rec.record(created, updated + removed, progress=1)
        _say(progress, f"scheduled: {created} created, {updated} updated, {removed} removed")
    return rec.run
