"""What the API sends and takes, as frozen dataclasses with Python types.

Every ``from_api`` reads field names in any letter case (``organizerKey`` and the older
``organizerkey`` alike), numbers sent as strings, every date form the API uses, and ignores
fields it does not know. A malformed value raises ValueError naming the field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .parsing import ApiFields, format_datetime, require_aware

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 100
CONFERENCE_CALL_INFO_MAX_LENGTH = 255


class _CaseInsensitiveEnum(StrEnum):
    @classmethod
    def _missing_(cls, value: object):
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None

    @classmethod
    def from_api(cls, value: Any):
        """Return the member for an API value in any case; None (logged) when unknown or blank."""
        member = cls._value2member_map_.get(value) if type(value) is str else None
        if member is not None:
            return member  # the value as documented: no lookup in any case needed
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return cls(value)
        except ValueError:
            logger.warning("Unknown %s from the API: %r", cls.__name__, value)
            return None


class MeetingType(_CaseInsensitiveEnum):
    """How a meeting is scheduled."""

    IMMEDIATE = "immediate"
    SCHEDULED = "scheduled"
    RECURRING = "recurring"


class MeetingStatus(_CaseInsensitiveEnum):
    """Whether a meeting is running now."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class OrganizerStatus(_CaseInsensitiveEnum):
    """Whether an organizer may host meetings."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class ProductType(_CaseInsensitiveEnum):
    """A GoTo product an organizer is licensed for."""

    G2M = "G2M"
    G2W = "G2W"
    G2T = "G2T"
    OPENVOICE = "OPENVOICE"


@dataclass(frozen=True)
class MeetingRequest:
    """The body of create meeting and update meeting."""

    subject: str
    starttime: datetime
    endtime: datetime
    password_required: bool
    conference_call_info: str
    meeting_type: MeetingType
    timezone_key: str = ""
    coorganizer_keys: tuple[int, ...] | None = None

    def __post_init__(self):
        if not self.subject.strip():
            raise ValueError("subject must not be blank")
        if len(self.subject) > SUBJECT_MAX_LENGTH:
            raise ValueError(f"subject is longer than {SUBJECT_MAX_LENGTH} characters")
        if len(self.conference_call_info) > CONFERENCE_CALL_INFO_MAX_LENGTH:
            raise ValueError(
                f"conference_call_info is longer than {CONFERENCE_CALL_INFO_MAX_LENGTH} characters"
            )
        require_aware(self.starttime, "starttime")
        require_aware(self.endtime, "endtime")
        if self.endtime <= self.starttime:
            raise ValueError("endtime must be after starttime")
        object.__setattr__(self, "meeting_type", MeetingType(self.meeting_type))
        if self.coorganizer_keys is not None:
            object.__setattr__(self, "coorganizer_keys", tuple(map(int, self.coorganizer_keys)))

    def to_json(self) -> dict[str, Any]:
        """Return the body with the API's exact field names."""
        body: dict[str, Any] = {
            "subject": self.subject,
            "starttime": format_datetime(self.starttime),
            "endtime": format_datetime(self.endtime),
            "passwordrequired": bool(self.password_required),
            "conferencecallinfo": self.conference_call_info,
            "timezonekey": self.timezone_key,
            "meetingtype": self.meeting_type.value,
        }
        if self.coorganizer_keys is not None:
            body["coorganizerKeys"] = list(self.coorganizer_keys)
        return body


@dataclass(frozen=True)
class MeetingCreated:
    """The answer to create meeting."""

    join_url: str
    meeting_id: int
    max_participants: int | None = None
    unique_meeting_id: int | None = None
    conference_call_info: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> MeetingCreated:
        """Build from one element of the create meeting answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            join_url=f.text("joinURL"),
            meeting_id=f.required_integer("meetingid"),
            max_participants=f.integer("maxParticipants"),
            unique_meeting_id=f.integer("uniqueMeetingId"),
            conference_call_info=f.text("conferenceCallInfo"),
        )


@dataclass(frozen=True)
class Meeting:
    """One meeting as get meeting returns it."""

    meeting_id: int
    meeting_key: int | None = None
    unique_meeting_id: int | None = None
    subject: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    status: MeetingStatus | None = None
    meeting_type: MeetingType | None = None
    password_required: bool | None = None
    conference_call_info: str = ""
    max_participants: int | None = None
    coorganizer_keys: tuple[int, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Meeting:
        """Build from one element of the get meeting answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            meeting_id=f.required_integer("meetingId"),
            meeting_key=f.integer("meetingKey"),
            unique_meeting_id=f.integer("uniqueMeetingId"),
            subject=f.text("subject"),
            start_time=f.date("startTime"),
            end_time=f.date("endTime"),
            duration=f.integer("duration"),
            status=MeetingStatus.from_api(f.raw("status")),
            meeting_type=MeetingType.from_api(f.raw("meetingType")),
            password_required=f.boolean("passwordRequired"),
            conference_call_info=f.text("conferenceCallInfo"),
            max_participants=f.integer("maxParticipants"),
            coorganizer_keys=f.integers("coorganizerKeys"),
        )


@dataclass(frozen=True)
class ScheduledMeeting:
    """An upcoming meeting; the by-organizer and by-group calls add the organizer's details."""

    meeting_id: int
    subject: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    status: MeetingStatus | None = None
    meeting_type: MeetingType | None = None
    password_required: bool | None = None
    conference_call_info: str = ""
    max_participants: int | None = None
    unique_meeting_id: int | None = None
    organizer_key: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    group_name: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ScheduledMeeting:
        """Build from one element of an upcoming meetings answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            meeting_id=f.required_integer("meetingId"),
            subject=f.text("subject"),
            start_time=f.date("startTime"),
            end_time=f.date("endTime"),
            status=MeetingStatus.from_api(f.raw("status")),
            meeting_type=MeetingType.from_api(f.raw("meetingType")),
            password_required=f.boolean("passwordRequired"),
            conference_call_info=f.text("conferenceCallInfo"),
            max_participants=f.integer("maxParticipants"),
            unique_meeting_id=f.integer("uniqueMeetingId"),
            organizer_key=f.integer("organizerKey"),
            first_name=f.text("firstName"),
            last_name=f.text("lastName"),
            email=f.text("email"),
            group_name=f.text("groupName"),
        )


@dataclass(frozen=True)
class HistoricalMeeting:
    """One started occurrence of a meeting, from meeting history."""

    meeting_id: int
    meeting_instance_key: int
    session_id: str = ""
    subject: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    num_attendees: int | None = None
    meeting_type: MeetingType | None = None
    conference_call_info: str = ""
    organizer_key: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    group_name: str = ""
    account_key: int | None = None
    locale: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> HistoricalMeeting:
        """Build from one element of a historical meetings answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            meeting_id=f.required_integer("meetingId"),
            meeting_instance_key=f.required_integer("meetingInstanceKey"),
            session_id=f.text("sessionId"),
            subject=f.text("subject"),
            start_time=f.date("startTime"),
            end_time=f.date("endTime"),
            duration=f.integer("duration"),
            num_attendees=f.integer("numAttendees"),
            meeting_type=MeetingType.from_api(f.raw("meetingType")),
            conference_call_info=f.text("conferenceCallInfo"),
            organizer_key=f.integer("organizerKey"),
            first_name=f.text("firstName"),
            last_name=f.text("lastName"),
            email=f.text("email"),
            group_name=f.text("groupName"),
            account_key=f.integer("accountKey"),
            locale=f.text("locale"),
        )


@dataclass(frozen=True)
class Organizer:
    """A GoTo user who may host meetings; no key while the invitation is pending."""

    organizer_key: int | None
    email: str
    first_name: str = ""
    last_name: str = ""
    group_key: int | None = None
    group_name: str = ""
    status: OrganizerStatus | None = None
    products: tuple[ProductType, ...] = ()
    max_attendees: int | None = None

    @property
    def is_pending(self) -> bool:
        """Say whether the organizer has not yet accepted the invitation (no key yet)."""
        return self.organizer_key is None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Organizer:
        """Build from one element of an organizers answer."""
        f = ApiFields(data, cls.__name__)
        products = (ProductType.from_api(name) for name in f.texts("products"))
        return cls(
            organizer_key=f.integer("organizerKey"),
            email=f.text("email", "organizerEmail"),
            first_name=f.text("firstName"),
            last_name=f.text("lastName"),
            group_key=f.integer("groupId", "groupKey"),
            group_name=f.text("groupName"),
            status=OrganizerStatus.from_api(f.raw("status")),
            products=tuple(product for product in products if product is not None),
            max_attendees=f.integer("maxNumAttendeesAllowed", "maxAttendees"),
        )


@dataclass(frozen=True)
class OrganizerRequest:
    """The body of create organizer."""

    email: str
    first_name: str
    last_name: str
    product_type: ProductType = ProductType.G2M

    def __post_init__(self):
        if "@" not in self.email:
            raise ValueError(f"not an email address: {self.email!r}")
        object.__setattr__(self, "product_type", ProductType(self.product_type))

    def to_json(self) -> dict[str, Any]:
        """Return the body with the API's exact field names."""
        return {
            "organizerEmail": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "productType": self.product_type.value,
        }


@dataclass(frozen=True)
class CreatedOrganizer:
    """The answer to create organizer: the key is None until the invitation is accepted."""

    email: str
    organizer_key: int | None = None

    @property
    def is_pending(self) -> bool:
        """Say whether the new organizer has no key yet."""
        return self.organizer_key is None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> CreatedOrganizer:
        """Build from one element of the create organizer answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            email=f.text("email", "organizerEmail"),
            organizer_key=f.integer("key", "organizerKey"),
        )


@dataclass(frozen=True)
class Attendee:
    """One person's attendance of one meeting occurrence."""

    attendee_name: str = ""
    attendee_email: str = ""
    join_time: datetime | None = None
    leave_time: datetime | None = None
    duration: int | None = None
    meeting_instance_key: int | None = None
    meeting_id: int | None = None
    subject: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    meeting_type: MeetingType | None = None
    num_attendees: int | None = None
    organizer_key: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    group_name: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Attendee:
        """Build from one element of an attendees answer."""
        f = ApiFields(data, cls.__name__)
        return cls(
            attendee_name=f.text("attendeeName"),
            attendee_email=f.text("attendeeEmail"),
            join_time=f.date("joinTime"),
            leave_time=f.date("leaveTime"),
            duration=f.integer("duration"),
            meeting_instance_key=f.integer("meetingInstanceKey"),
            meeting_id=f.integer("meetingId"),
            subject=f.text("subject"),
            start_time=f.date("startTime"),
            end_time=f.date("endTime"),
            meeting_type=MeetingType.from_api(f.raw("meetingType")),
            num_attendees=f.integer("numAttendees"),
            organizer_key=f.integer("organizerKey"),
            first_name=f.text("firstName"),
            last_name=f.text("lastName"),
            email=f.text("email"),
            group_name=f.text("groupName"),
        )


@dataclass(frozen=True)
class Group:
    """A group of organizers; ``parent_key`` is None for a top-level group."""

    group_key: int
    name: str = ""
    parent_key: int | None = None
    status: str = ""
    num_organizers: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Group:
        """Build from one element of the groups answer."""
        f = ApiFields(data, cls.__name__)
        group_key = f.required_integer("groupkey", "groupId")
        parent_key = f.integer("parentKey")
        return cls(
            group_key=group_key,
            name=f.text("groupName", "name"),
            parent_key=None if parent_key in (None, group_key) else parent_key,
            status=f.text("status"),
            num_organizers=f.integer("numOrganizers"),
        )
