"""The live pass: which meetings are running now."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from gotomeeting.errors import NotFound
from gotomeeting.models import MeetingStatus
from meetings.models import Meeting

from ..models import SyncArea, SyncRun
from .runs import Progress, _Recorder, _say
from .scheduled import _fetch_upcoming, _upsert_meetings

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient

LIVE_LOCK_SECONDS = 5 * 60


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
