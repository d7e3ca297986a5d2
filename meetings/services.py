"""Writes to meetings: the only place that calls the API for them.

Each service calls GoTo first (outside any database transaction: no lock is held while the
network is slow), then updates the cached row from the answer and records the audit entry in
one ``transaction.atomic()`` block. When GoTo refuses or cannot be reached, a failure entry is
recorded, no cached row changes, and :class:`MeetingActionFailed` carries a message for people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditOutcome
from gotomeeting import GoToMeetingClient, MeetingRequest
from gotomeeting import errors as api_errors
from gotomeeting import models as api_models
from organizers.models import Organizer

from .models import Meeting


class MeetingActionFailed(Exception):
    """GoTo refused a meeting action or could not be reached; ``str(exc)`` is for people."""

    def __init__(self, message: str, *, api_error: Exception | None = None):
        super().__init__(message)
        self.api_error = api_error


@dataclass(frozen=True)
class MeetingFields:
    """What the create and update forms collect; times are timezone-aware."""

    subject: str
    start_time: datetime
    end_time: datetime
    meeting_type: str
    password_required: bool
    conference_call_info: str

    def to_request(self) -> MeetingRequest:
        return MeetingRequest(
            subject=self.subject,
            starttime=self.start_time.astimezone(UTC),
            endtime=self.end_time.astimezone(UTC),
            password_required=self.password_required,
            conference_call_info=self.conference_call_info,
            meeting_type=api_models.MeetingType(self.meeting_type),
            timezone_key="",  # deprecated by GoTo: always sent blank
        )

    def describe(self) -> str:
        return (
            f"{self.start_time.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} – "
            f"{self.end_time.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}, {self.meeting_type}"
        )


def _people_message(exc: api_errors.ApiError, action: str) -> str:
    if isinstance(exc, api_errors.NotFound):
        return f"Could not {action}: GoTo no longer knows this meeting (deleted elsewhere?)."
    if isinstance(exc, api_errors.Unauthorized):
        return f"Could not {action}: your GoTo sign-in is no longer valid. Sign out and in again."
    if isinstance(exc, api_errors.Forbidden):
        return f"Could not {action}: GoTo does not allow you to do this for this meeting."
    if isinstance(exc, api_errors.InvalidRequest):
        return f"Could not {action}: GoTo refused it ({exc.message})."
    if isinstance(exc, api_errors.RateLimited):
        return f"Could not {action}: GoTo is busy right now. Try again in a minute."
    if isinstance(exc, api_errors.TransportError | api_errors.ServerError):
        return f"Could not {action}: GoTo could not be reached. Nothing was changed; try again."
    return f"Could not {action}: GoTo answered with an error ({exc})."


def _fail(
    exc: api_errors.ApiError,
    *,
    acting_user,
    action: str,
    verb: str,
    meeting: Meeting | None = None,
    target_label: str = "",
) -> MeetingActionFailed:
    audit_record(
        actor=acting_user,
        action=action,
        target=meeting,
        target_type="meeting",
        target_label=target_label,
        outcome=AuditOutcome.FAILURE,
        detail=str(exc),
    )
    return MeetingActionFailed(_people_message(exc, verb), api_error=exc)


def _cached_organizer(organizer_key: int | None) -> Organizer | None:
    """The cached organizer with this key, if the organizer sync has seen it (the row keeps the
    key, so the link is made later when it has not)."""
    if organizer_key is None:
        return None
    return Organizer.objects.filter(organizer_key=organizer_key).first()


def meeting_create(*, client: GoToMeetingClient, acting_user, fields: MeetingFields) -> Meeting:
    """Create a meeting at GoTo for the token's own organizer, then cache it."""
    try:
        created = client.create_meeting(fields.to_request())
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action="meeting.create",
            verb="create the meeting",
            target_label=fields.subject,
        ) from exc
    now = timezone.now()
    with transaction.atomic():
        meeting, _ = Meeting.objects.update_or_create(
            meeting_id=created.meeting_id,
            defaults={
                "organizer": _cached_organizer(acting_user.organizer_key),
                "organizer_key": acting_user.organizer_key,
                "subject": fields.subject,
                "start_time": fields.start_time,
                "end_time": fields.end_time,
                "meeting_type": fields.meeting_type,
                "password_required": fields.password_required,
                "conference_call_info": created.conference_call_info or fields.conference_call_info,
                "join_url": created.join_url,
                "unique_meeting_id": created.unique_meeting_id,
                "max_participants": created.max_participants,
                "removed_at": None,
                "synced_at": now,
            },
        )
        audit_record(
            actor=acting_user,
            action="meeting.create",
            target=meeting,
            detail=f"GoTo meeting {created.meeting_id}: {fields.describe()}",
        )
    return meeting


def meeting_update(
    *, client: GoToMeetingClient, acting_user, meeting: Meeting, fields: MeetingFields
) -> Meeting:
    """Change a meeting's subject, times and settings at GoTo, then in the cache."""
    try:
        client.update_meeting(meeting.meeting_id, fields.to_request())
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action="meeting.update",
            verb="update the meeting",
            meeting=meeting,
        ) from exc
    with transaction.atomic():
        meeting.subject = fields.subject
        meeting.start_time = fields.start_time
        meeting.end_time = fields.end_time
        meeting.meeting_type = fields.meeting_type
        meeting.password_required = fields.password_required
        meeting.conference_call_info = fields.conference_call_info
        meeting.synced_at = timezone.now()
        meeting.save(
            update_fields=[
                "subject",
                "start_time",
                "end_time",
                "meeting_type",
                "password_required",
                "conference_call_info",
                "synced_at",
            ]
        )
        audit_record(
            actor=acting_user,
            action="meeting.update",
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}: {fields.describe()}",
        )
    return meeting


def meeting_delete(*, client: GoToMeetingClient, acting_user, meeting: Meeting) -> Meeting:
    """Delete a meeting at GoTo; the cached row is kept, marked removed, for history links."""
    try:
        client.delete_meeting(meeting.meeting_id)
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action="meeting.delete",
            verb="delete the meeting",
            meeting=meeting,
        ) from exc
    with transaction.atomic():
        meeting.removed_at = timezone.now()
        meeting.is_live = False
        meeting.save(update_fields=["removed_at", "is_live"])
        audit_record(
            actor=acting_user,
            action="meeting.delete",
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}",
        )
    return meeting


def meeting_start(*, client: GoToMeetingClient, acting_user, meeting: Meeting) -> str:
    """Ask GoTo for the host URL that starts ``meeting``; return it for a redirect."""
    try:
        host_url = client.get_start_url(meeting.meeting_id)
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action="meeting.start",
            verb="start the meeting",
            meeting=meeting,
        ) from exc
    if urlsplit(host_url).scheme not in {"https", "http"}:
        error = api_errors.UnexpectedResponse(200, None, "host URL is not a web address")
        raise _fail(
            error,
            acting_user=acting_user,
            action="meeting.start",
            verb="start the meeting",
            meeting=meeting,
        )
    with transaction.atomic():
        # Nothing of the cached row changes until the meeting is running (the live sync
        # sees it); the entry records who started it.
        audit_record(
            actor=acting_user,
            action="meeting.start",
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}",
        )
    return host_url
