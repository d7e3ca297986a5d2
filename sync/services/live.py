"""The live pass: which meetings are running now, asked only where a meeting can start or end
(:mod:`sync.activity`) plus one slice of a sweep of every organizer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from gotomeeting.errors import InvalidRequest, NotFound
from gotomeeting.models import MeetingStatus
from meetings.models import Meeting

from .. import activity
from ..models import SyncArea, SyncRun
from .groups import _group_organizer_keys, _per_organizer
from .runs import Progress, _Recorder, _say
from .scheduled import _remove_gone, _Upcoming, _upsert_meetings

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient

LIVE_LOCK_SECONDS = 5 * 60
logger = logging.getLogger(__name__)


def _fetch_live(client: GoToMeetingClient, rec: _Recorder, plan: activity.LivePlan) -> _Upcoming:
    """The upcoming meetings (with their status) of the groups and organizers in ``plan``."""
    found = _Upcoming()
    asks = len(plan.groups) + len(plan.organizer_keys)
    for number, group in enumerate(plan.groups, start=1):
        try:
            items = client.get_group_upcoming_meetings(group.group_key)
            found.covered_keys.update(_group_organizer_keys(group))
        except InvalidRequest:  # more than 50 organizers after all: ask them one by one
            logger.info("live: group %s refused the group-scoped call", group.group_key)
            only = set(plan.fallback.get(group.pk, []))
            items, covered = _per_organizer(
                group, client.get_organizer_upcoming_meetings, what="live", only=only
            )
            found.covered_keys.update(covered)
        for item in items:
            found.meetings[item.meeting_id] = item
        rec.record(progress=number / (asks + 1))
    for number, organizer_key in enumerate(plan.organizer_keys, start=len(plan.groups) + 1):
        try:
            items = client.get_organizer_upcoming_meetings(organizer_key)
        except NotFound:  # gone at GoTo: no upcoming meetings left (as in _per_organizer)
            logger.info("live: organizer %s not found at GoTo, skipped", organizer_key)
            items = []
        found.covered_keys.add(organizer_key)
        for item in items:
            found.meetings[item.meeting_id] = item
        if number % 50 == 0:
            rec.record(progress=number / (asks + 1))
    return found


def live_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh which meetings are running now (status ACTIVE), asking only where a meeting
    can be live and one slice of the sweep (:func:`sync.activity.live_plan`).

    The upcoming lists asked are complete for their organizers, so the scheduled pass's rules
    apply to them (new and changed meetings upserted, those gone get ``removed_at``): the
    sweep keeps every organizer's scheduled meetings fresh too. A candidate meeting without a
    group to ask (a live one included) is checked with ``get_meeting`` (gone = not live).
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
        plan = activity.live_plan(now=timezone.now())
        found = _fetch_live(client, rec, plan)
        with transaction.atomic():
            now = timezone.now()
            created, updated = _upsert_meetings(found.meetings.values(), now=now)
            # The lists asked are complete for their organizers: the scheduled pass's rule.
            removed = _remove_gone(found, now=now)
            rec.record(created, updated + removed)
        ended = 0
        to_check = [
            meeting_id for meeting_id in plan.meeting_ids if meeting_id not in found.meetings
        ]
        for meeting_id in to_check:
            try:
                still_live = client.get_meeting(meeting_id).status == MeetingStatus.ACTIVE
            except NotFound:
                still_live = False
            with transaction.atomic():
                changed = (
                    Meeting.objects.filter(meeting_id=meeting_id)
                    .exclude(is_live=still_live)
                    .update(is_live=still_live, synced_at=timezone.now())
                )
                ended += changed if not still_live else 0
                rec.record(updated=changed)
        activity.sweep_advance(plan)
        live = sum(1 for item in found.meetings.values() if item.status == MeetingStatus.ACTIVE)
        _say(
            progress,
            f"live: asked {len(plan.groups)} groups, {len(plan.organizer_keys)} organizers and "
            f"{len(to_check)} meetings (sweep: {plan.swept} of {plan.sweep_units}); "
            f"{live} meetings running now; {ended} ended since the last run",
        )
    return rec.run
