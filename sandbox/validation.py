"""Checks of API input: dates, ranges and request bodies. Failures raise ``ApiError`` 400."""

from __future__ import annotations

import re

from sandbox.http_types import ApiError
from sandbox.store import PRODUCTS
from sandbox.timeutil import iso, parse_iso

MAX_RANGE_DAYS = 60
MAX_SUBJECT = 100
MAX_CALL_INFO = 255
CALL_INFO_OPTIONS = ("PSTN", "Free", "Hybrid", "Private", "VoIP")
MEETING_TYPES = ("immediate", "scheduled", "recurring")
MEETING_FIELDS = (
    "subject",
    "starttime",
    "endtime",
    "passwordrequired",
    "conferencecallinfo",
    "timezonekey",
    "meetingtype",
)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def bad(msg: str) -> ApiError:
    return ApiError(400, "InvalidRequest", msg)


def parse_key(text: str, what: str) -> int:
    """A 64-bit key from a path segment."""
    if not text.isdigit() or len(text) > 19:
        raise bad(f"{what} must be a positive integer")
    return int(text)


def parse_date(query: dict[str, str], name: str) -> int:
    value = query.get(name)
    if not value:
        raise bad(f"{name} is required (ISO 8601 UTC, e.g. 2026-07-01T22:00:00Z)")
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise bad(f"{name} is not an ISO 8601 date-time: {value!r}") from exc


def date_range(query: dict[str, str]) -> tuple[str, str]:
    """``startDate``..``endDate`` as stored-format strings; at most 60 days."""
    start = parse_date(query, "startDate")
    end = parse_date(query, "endDate")
    if end < start:
        raise bad("endDate is before startDate")
    if end - start > MAX_RANGE_DAYS * 86_400:
        raise bad(f"The date range may span at most {MAX_RANGE_DAYS} days")
    return iso(start), iso(end)


def is_true(query: dict[str, str], name: str) -> bool:
    return query.get(name, "").strip().lower() == "true"


def _require_object(body: object) -> dict:
    if not isinstance(body, dict):
        raise bad("The request body must be a JSON object")
    return body


def _string(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise bad(f"{name} is required and must be a string")
    return value


def meeting_fields(raw: object, known_organizers: set[int]) -> dict:
    """A MeetingRequest (create and update; every field required) as stored fields."""
    body = _require_object(raw)
    missing = [name for name in MEETING_FIELDS if name not in body]
    if missing:
        raise bad(f"Missing required fields: {', '.join(missing)}")
    subject = _string(body, "subject").strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise bad(f"subject must be 1 to {MAX_SUBJECT} characters")
    times = []
    for name in ("starttime", "endtime"):
        try:
            times.append(parse_iso(_string(body, name)))
        except ValueError as exc:
            raise bad(f"{name} is not an ISO 8601 date-time") from exc
    start, end = times
    if end <= start:
        raise bad("endtime must be after starttime")
    if not isinstance(body["passwordrequired"], bool):
        raise bad("passwordrequired must be true or false")
    call_info = _string(body, "conferencecallinfo").strip()
    options = {option.lower(): option for option in CALL_INFO_OPTIONS}
    call_info = options.get(call_info.lower(), call_info)
    if not call_info or len(call_info) > MAX_CALL_INFO:
        raise bad(f"conferencecallinfo must be 1 to {MAX_CALL_INFO} characters")
    _string(body, "timezonekey")
    meeting_type = _string(body, "meetingtype").strip().lower()
    if meeting_type not in MEETING_TYPES:
        raise bad(f"meetingtype must be one of {', '.join(MEETING_TYPES)}")
    coorganizers = body.get("coorganizerKeys", [])
    if not isinstance(coorganizers, list):
        raise bad("coorganizerKeys must be an array")
    keys = []
    for item in coorganizers:
        text = str(item)
        if not text.isdigit() or int(text) not in known_organizers:
            raise bad(f"Unknown co-organizer key: {text}")
        keys.append(int(text))
    return {
        "subject": subject,
        "startTime": iso(start),
        "endTime": iso(end),
        "passwordRequired": body["passwordrequired"],
        "conferenceCallInfo": call_info,
        "meetingType": meeting_type,
        "coorganizerKeys": keys,
    }


def product(value: object) -> str:
    if value not in PRODUCTS:
        raise bad(f"productType must be one of {', '.join(PRODUCTS)}")
    return str(value)


def organizer_fields(raw: object) -> dict:
    """An OrganizerRequest."""
    body = _require_object(raw)
    email = _string(body, "organizerEmail").strip()
    if not EMAIL_RE.match(email):
        raise bad("organizerEmail is not an e-mail address")
    first, last = _string(body, "firstName").strip(), _string(body, "lastName").strip()
    if not first or not last:
        raise bad("firstName and lastName are required")
    return {
        "email": email,
        "first_name": first,
        "last_name": last,
        "product_type": product(body.get("productType")),
    }


def organizer_update(raw: object) -> tuple[str | None, str | None]:
    """``(status, productType)`` of an organizer update; at least one is given."""
    body = _require_object(raw)
    status = body.get("status")
    product_type = body.get("productType")
    if status is None and product_type is None:
        raise bad("Give status ('suspended' or 'active') or productType")
    if status is not None and status not in ("suspended", "active"):
        raise bad("status must be 'suspended' or 'active'")
    return status, product(product_type) if product_type is not None else None
