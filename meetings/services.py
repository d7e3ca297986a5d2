"""Writes to meetings: the only place that calls the API for them.

Each service calls GoTo first (outside any database transaction: no lock is held while the
network is slow), then updates the cached row from the answer and records the audit entry in
one ``transaction.atomic()`` block. When GoTo refuses or cannot be reached, a failure entry is
recorded, no cached row changes, and :class:`MeetingActionFailed` carries the message for
people (:func:`portal.api_outcomes.describe`, worded as for organizers); a sign-in GoTo no
longer accepts raises ``TokenRevoked``, which the middleware turns into a sign-out. An update
records each changed field's before and after in its audit entry.

When GoTo's answer to a write was lost (``OutcomeUnknown``), the service looks at GoTo whether
it was done before answering, and otherwise says the outcome is unknown and has
:func:`meeting_reconcile` re-read it a minute later (see :mod:`portal.api_outcomes`). A create
whose outcome is unknown is remembered for a day: the same meeting submitted again is first
looked up at GoTo, so following the page's advice never makes a duplicate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_changes, audit_record
from accounts.models import AuditAction, AuditOutcome
from gotomeeting import GoToMeetingClient, MeetingRequest
from gotomeeting import errors as api_errors
from gotomeeting import models as api_models
from organizers.models import Organizer
from portal.api_outcomes import (
    ActionFailed,
    action_failed,
    audit_detail,
    check_outcome,
    checking_time,
    mark_done_late,
    reconcile_client,
    reconcile_later,
)

from .models import Meeting

logger = logging.getLogger(__name__)

# How long a create whose outcome stayed unknown is remembered (the same form sent again is
# looked up at GoTo first, instead of being created twice).
UNKNOWN_CREATE_SECONDS = 24 * 3600


class MeetingActionFailed(ActionFailed):
    """GoTo refused a meeting action or could not be reached; ``str(exc)`` and ``message`` are
    for people (the one shape of :class:`portal.api_outcomes.ActionFailed`, named for this
    area)."""


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

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values (for a task's arguments)."""
        values = asdict(self)
        values["start_time"] = self.start_time.isoformat()
        values["end_time"] = self.end_time.isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> MeetingFields:
        return cls(
            **{
                **values,
                "start_time": datetime.fromisoformat(values["start_time"]),
                "end_time": datetime.fromisoformat(values["end_time"]),
            }
        )

    def is_at_goto(self, found: api_models.Meeting | api_models.ScheduledMeeting) -> bool:
        """Say whether a meeting GoTo lists has this subject and these start and end times."""
        return (
            found.subject == self.subject
            and found.start_time == self.start_time
            and found.end_time == self.end_time
        )


def _fail(
    exc: api_errors.ApiError,
    *,
    acting_user,
    action: AuditAction,
    verb: str,
    meeting: Meeting | None = None,
    target_label: str = "",
    message: str = "",
    advice: str | None = None,
) -> Exception:
    """Record the failure entry and build the error to raise: the vocabulary's sentence
    (``portal.api_outcomes.describe``) unless ``message`` says otherwise; ``TokenRevoked``
    when GoTo no longer accepts the sign-in (the middleware signs the user out)."""
    error = action_failed(
        exc, what=verb, advice=advice, message=message, failure=MeetingActionFailed
    )
    audit_record(
        actor=acting_user,
        action=action,
        target=meeting,
        target_type="meeting",
        target_label=target_label,
        outcome=AuditOutcome.FAILURE,
        detail=audit_detail(getattr(error, "message", str(error)), exc),
    )
    return error


def _cached_organizer(organizer_key: int | None) -> Organizer | None:
    """The cached organizer with this key, if the organizer sync has seen it (the row keeps the
    key, so the link is made later when it has not)."""
    if organizer_key is None:
        return None
    return Organizer.objects.filter(organizer_key=organizer_key).first()


def _unknown_create_key(acting_user, fields: MeetingFields) -> str:
    identity = "\n".join(
        [fields.subject, fields.start_time.isoformat(), fields.end_time.isoformat()]
    )
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return f"meeting-create-unknown:{acting_user.pk}:{digest}"


def _created_at_goto(
    client: GoToMeetingClient, fields: MeetingFields
) -> api_models.ScheduledMeeting | None:
    """The newest of the token user's upcoming meetings with these subject and times."""
    matches = [found for found in client.get_upcoming_meetings() if fields.is_at_goto(found)]
    return max(matches, key=lambda found: found.meeting_id, default=None)


def _cache_created(
    *,
    acting_user,
    fields: MeetingFields,
    created: api_models.MeetingCreated | api_models.ScheduledMeeting,
    detail: str,
) -> Meeting:
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
                "join_url": getattr(created, "join_url", ""),
                "unique_meeting_id": created.unique_meeting_id,
                "max_participants": created.max_participants,
                "removed_at": None,
                "synced_at": timezone.now(),
            },
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.MEETING_CREATE,
            target=meeting,
            detail=f"GoTo meeting {created.meeting_id}: {fields.describe()}{detail}",
        )
    return meeting


_LATE_DETAIL = " (GoTo's answer was lost; re-reading at GoTo showed it was created)"


def meeting_create(*, client: GoToMeetingClient, acting_user, fields: MeetingFields) -> Meeting:
    """Create a meeting at GoTo for the token's own organizer, then cache it.

    The same meeting sent again after an unknown outcome is looked up at GoTo first, and not
    created a second time when GoTo has it.
    """
    unknown_key = _unknown_create_key(acting_user, fields)
    if cache.get(unknown_key):
        earlier = _earlier_unknown_create(client, acting_user, fields, unknown_key)
        if earlier is not None:
            return earlier
    try:
        created = client.create_meeting(fields.to_request())
    except api_errors.OutcomeUnknown as exc:
        found = check_outcome(client, lambda: _created_at_goto(client, fields))
        if found is None:
            cache.set(unknown_key, True, UNKNOWN_CREATE_SECONDS)
            reconcile_later(
                "meetings.reconcile_meeting",
                acting_user_id=acting_user.pk,
                created=fields.to_json(),
            )
            raise _fail(
                exc,
                acting_user=acting_user,
                action=AuditAction.MEETING_CREATE,
                verb=f"create the meeting “{fields.subject}”",
                target_label=fields.subject,
                advice="check My meetings before creating it again (sent again, the same "
                "meeting is looked up at GoTo first, not created twice).",
            ) from exc
        meeting = _cache_created(
            acting_user=acting_user, fields=fields, created=found, detail=_LATE_DETAIL
        )
        return mark_done_late(meeting)
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action=AuditAction.MEETING_CREATE,
            verb="create the meeting",
            target_label=fields.subject,
        ) from exc
    return _cache_created(acting_user=acting_user, fields=fields, created=created, detail="")


def _earlier_unknown_create(
    client: GoToMeetingClient, acting_user, fields: MeetingFields, unknown_key: str
) -> Meeting | None:
    """After an earlier try with an unknown outcome: GoTo's meeting if it was created (cached),
    None when GoTo surely has none; raises when GoTo cannot tell now (nothing is sent)."""
    try:
        with checking_time(client):
            found = _created_at_goto(client, fields)
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action=AuditAction.MEETING_CREATE,
            verb="create the meeting",
            target_label=fields.subject,
            message=(
                f"An earlier try to create the meeting “{fields.subject}” got no answer from "
                "GoTo, and GoTo cannot say right now whether it was created, so nothing was "
                "sent this time. Check My meetings in a minute."
            ),
        ) from exc
    cache.delete(unknown_key)
    if found is None:
        return None
    meeting = _cache_created(
        acting_user=acting_user,
        fields=fields,
        created=found,
        detail=" (created by an earlier try whose answer was lost; not sent again)",
    )
    return mark_done_late(
        meeting, "GoTo had created it on your earlier try (its answer was lost); no duplicate."
    )


def meeting_update(
    *, client: GoToMeetingClient, acting_user, meeting: Meeting, fields: MeetingFields
) -> Meeting:
    """Change a meeting's subject, times and settings at GoTo, then in the cache."""
    late = False
    try:
        client.update_meeting(meeting.meeting_id, fields.to_request())
    except api_errors.OutcomeUnknown as exc:
        if not check_outcome(client, lambda: fields.is_at_goto(_at_goto(client, meeting))):
            _reconcile_later(meeting, acting_user)
            raise _fail(
                exc,
                acting_user=acting_user,
                action=AuditAction.MEETING_UPDATE,
                verb="update the meeting",
                meeting=meeting,
            ) from exc
        late = True
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action=AuditAction.MEETING_UPDATE,
            verb="update the meeting",
            meeting=meeting,
        ) from exc
    before = _audited_fields(meeting)
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
            action=AuditAction.MEETING_UPDATE,
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}: {fields.describe()}"
            + (" (GoTo's answer was lost; re-reading at GoTo showed it was done)" if late else ""),
            changes=audit_changes(before, _audited_fields(meeting)),
        )
    return mark_done_late(meeting) if late else meeting


def _audited_fields(meeting: Meeting) -> dict[str, Any]:
    """What an update may change, as the audit entry's before/after (times in UTC)."""
    return {
        "subject": meeting.subject,
        "start_time": meeting.start_time.astimezone(UTC) if meeting.start_time else None,
        "end_time": meeting.end_time.astimezone(UTC) if meeting.end_time else None,
        "meeting_type": meeting.meeting_type,
        "password_required": meeting.password_required,
        "conference_call_info": meeting.conference_call_info,
    }


def meeting_delete(*, client: GoToMeetingClient, acting_user, meeting: Meeting) -> Meeting:
    """Delete a meeting at GoTo; the cached row is kept, marked removed, for history links."""
    late = False
    try:
        client.delete_meeting(meeting.meeting_id)
    except api_errors.OutcomeUnknown as exc:
        if not check_outcome(client, lambda: _gone_at_goto(client, meeting)):
            _reconcile_later(meeting, acting_user)
            raise _fail(
                exc,
                acting_user=acting_user,
                action=AuditAction.MEETING_DELETE,
                verb="delete the meeting",
                meeting=meeting,
            ) from exc
        late = True
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action=AuditAction.MEETING_DELETE,
            verb="delete the meeting",
            meeting=meeting,
        ) from exc
    with transaction.atomic():
        meeting.removed_at = timezone.now()
        meeting.is_live = False
        meeting.save(update_fields=["removed_at", "is_live"])
        audit_record(
            actor=acting_user,
            action=AuditAction.MEETING_DELETE,
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}"
            + (" (GoTo's answer was lost; re-reading at GoTo showed it was done)" if late else ""),
        )
    return mark_done_late(meeting) if late else meeting


def _at_goto(client: GoToMeetingClient, meeting: Meeting) -> api_models.Meeting:
    return client.get_meeting(meeting.meeting_id)


def _gone_at_goto(client: GoToMeetingClient, meeting: Meeting) -> bool:
    try:
        client.get_meeting(meeting.meeting_id)
    except api_errors.NotFound:
        return True
    return False


def _reconcile_later(meeting: Meeting, acting_user) -> None:
    reconcile_later(
        "meetings.reconcile_meeting", acting_user_id=acting_user.pk, meeting_id=meeting.pk
    )


def meeting_start(*, client: GoToMeetingClient, acting_user, meeting: Meeting) -> str:
    """Ask GoTo for the host URL that starts ``meeting``; return it for a redirect."""
    try:
        host_url = client.get_start_url(meeting.meeting_id)
    except api_errors.ApiError as exc:
        raise _fail(
            exc,
            acting_user=acting_user,
            action=AuditAction.MEETING_START,
            verb="start the meeting",
            meeting=meeting,
        ) from exc
    if urlsplit(host_url).scheme not in {"https", "http"}:
        error = api_errors.UnexpectedResponse(200, None, "host URL is not a web address")
        raise _fail(
            error,
            acting_user=acting_user,
            action=AuditAction.MEETING_START,
            verb="start the meeting",
            meeting=meeting,
        )
    with transaction.atomic():
        # Nothing of the cached row changes until the meeting is running (the live sync
        # sees it); the entry records who started it.
        audit_record(
            actor=acting_user,
            action=AuditAction.MEETING_START,
            target=meeting,
            detail=f"GoTo meeting {meeting.meeting_id}",
        )
    return host_url


def meeting_reconcile(
    *,
    acting_user,
    meeting: Meeting | None = None,
    created: MeetingFields | None = None,
    client: GoToMeetingClient | None = None,
) -> Meeting | None:
    """Re-read at GoTo what a write with an unknown outcome may have changed, and cache it.

    ``meeting``: after an update or delete, its current state (gone: marked removed).
    ``created``: after a create, the acting user's meeting with these fields, if GoTo has one.
    Errors GoTo may get over are raised for the task to retry; ``client`` defaults to the acting
    user's own token (a create is looked up among their own meetings).
    """
    if client is None:
        client = reconcile_client(acting_user, or_service=False)
        if client is None:
            logger.info("No GoTo token of %s to re-check with; the sync will.", acting_user)
            return None
    if created is not None:
        return _reconcile_create(client, acting_user, created)
    try:
        answer = _at_goto(client, meeting)
    except api_errors.NotFound:
        answer = None
    with transaction.atomic():
        if answer is None:
            if meeting.removed_at is None:
                meeting.removed_at = timezone.now()
                meeting.is_live = False
                meeting.save(update_fields=["removed_at", "is_live"])
            state = "gone at GoTo: marked removed"
        else:
            meeting.subject = answer.subject or meeting.subject
            meeting.start_time = answer.start_time or meeting.start_time
            meeting.end_time = answer.end_time or meeting.end_time
            if answer.meeting_type is not None:
                meeting.meeting_type = answer.meeting_type.value
            if answer.password_required is not None:
                meeting.password_required = answer.password_required
            meeting.conference_call_info = answer.conference_call_info
            meeting.removed_at = None
            meeting.synced_at = timezone.now()
            meeting.save()
            state = f"“{meeting.subject}”, {meeting.start_time.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        audit_record(
            actor=acting_user,
            action=AuditAction.MEETING_RECONCILE,
            target=meeting,
            detail=f"Re-read at GoTo after an answer was lost: {state}.",
        )
    return meeting


def _reconcile_create(
    client: GoToMeetingClient, acting_user, fields: MeetingFields
) -> Meeting | None:
    found = _created_at_goto(client, fields)
    cache.delete(_unknown_create_key(acting_user, fields))
    if found is not None:
        return _cache_created(
            acting_user=acting_user, fields=fields, created=found, detail=_LATE_DETAIL
        )
    audit_record(
        actor=acting_user,
        action=AuditAction.MEETING_CREATE,
        target_type="meeting",
        target_label=fields.subject,
        outcome=AuditOutcome.FAILURE,
        detail=f"Re-read at GoTo after its answer was lost: not created ({fields.describe()}).",
    )
    return None
