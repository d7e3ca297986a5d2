"""The JSON shapes the API answers with, one function per kind of answer.

Field names and their case follow ``gotomeeting-api.md`` ("Shapes"). Where the
reference names a field but not its JSON type, the type is the one the vendor's
OpenAPI schema for that very operation gives, so the types differ between calls
just as they do at GoTo. In short:

=========================================  ============================================
answer (vendor schema)                     id/number fields
=========================================  ============================================
create meeting (MeetingCreated)            ``meetingid`` int, ``uniqueMeetingId`` int
get meeting (MeetingById)                  ``meetingId``/``meetingKey`` int, ``duration`` int,
                                           ``createTime`` ""
``/meetings?scheduled`` (MeetingScheduled)  ``meetingid`` int, ``createTime`` real instant
``/organizers/{k}/meetings?scheduled``     ``meetingid`` int, ``createTime`` "",
  (MeetingByOrganizer)                     ``organizerKey`` str
``/groups/{k}/meetings?scheduled``         ``meetingId`` str, ``organizerkey`` int,
  (ScheduledMeetingByGroup)                ``organizerKey`` str
upcoming (UpcomingMeeting[ByGroup])        ``meetingId`` str, ``organizerKey`` str
``history=true`` forms (MeetingHistory)    ``meetingId``/``duration``/``numAttendees``/
                                           ``sessionId`` int; ``organizerKey`` and
                                           ``organizerkey`` both str (same value)
historical (HistoricalMeeting[ByGroup])    ``meetingId``/``duration``/``numAttendees``/
                                           ``sessionId`` str; ``organizerKey`` and
                                           ``organizerkey`` str; ``meetingInstanceKey`` int
attendees by meeting / by organizer        ``meetingId`` int, ``organizerkey`` int,
                                           ``organizerKey`` str
attendees by group (AttendeeByGroup)       ``meetingId`` str, ``organizerkey`` int,
                                           ``organizerKey`` str
organizer (Organizer)                      ``organizerKey`` int (absent while pending)
group (Group)                              ``groupkey``/``parentKey`` int
=========================================  ============================================

Every meeting-instance answer carries ``meetingInstanceKey``; every answer about an
organizer's meetings carries the organizer's ``firstName``/``lastName``/``email``.
"""

from __future__ import annotations

from sandbox import demo_account as acct
from sandbox.store import Store
from sandbox.timeutil import parse_iso


def formatted_meeting_id(meeting_id: int) -> str:
    """``123456789`` → ``"123-456-789"`` (the vendor's ``newMeetingId``)."""
    digits = str(meeting_id)
    return "-".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def _organizer_of(store: Store, organizer_key: int) -> dict:
    return store.org_by_key[organizer_key]


def _who(organizer: dict) -> dict:
    """Organizer fields repeated in meeting answers."""
    return {
        "firstName": organizer["firstName"],
        "lastName": organizer["lastName"],
        "email": organizer["email"],
    }


def _account(organizer: dict) -> dict:
    return {"accountKey": str(acct.ACCOUNT_KEY), "locale": organizer.get("locale", acct.LOCALE)}


# -- meetings -------------------------------------------------------------------------------
def meeting_created(meeting: dict, base_url: str) -> dict:
    """One item of the 201 answer of ``POST /meetings``."""
    return {
        "joinURL": f"{base_url}/join/{meeting['meetingId']}",
        "meetingid": meeting["meetingId"],
        "maxParticipants": meeting["maxParticipants"],
        "uniqueMeetingId": meeting["meetingId"],
        "conferenceCallInfo": meeting["conferenceCallInfo"],
    }


def _minutes(meeting: dict) -> int:
    return (parse_iso(meeting["endTime"]) - parse_iso(meeting["startTime"])) // 60


def meeting_detail(meeting: dict, status: str) -> dict:
    """The item of ``GET /meetings/{meetingId}``."""
    return {
        "meetingId": meeting["meetingId"],
        "meetingKey": meeting["meetingId"],
        "uniqueMeetingId": meeting["meetingId"],
        "subject": meeting["subject"],
        "startTime": meeting["startTime"],
        "endTime": meeting["endTime"],
        "duration": _minutes(meeting),
        "status": status,
        "meetingType": meeting["meetingType"],
        "passwordRequired": meeting["passwordRequired"],
        "conferenceCallInfo": meeting["conferenceCallInfo"],
        "maxParticipants": meeting["maxParticipants"],
        "createTime": "",
        "coorganizerKeys": [str(k) for k in meeting["coorganizerKeys"]],
    }


def _scheduled_core(meeting: dict, status: str) -> dict:
    return {
        "subject": meeting["subject"],
        "startTime": meeting["startTime"],
        "endTime": meeting["endTime"],
        "status": status,
        "meetingType": meeting["meetingType"],
        "passwordRequired": meeting["passwordRequired"],
        "conferenceCallInfo": meeting["conferenceCallInfo"],
        "maxParticipants": meeting["maxParticipants"],
        "uniqueMeetingId": meeting["meetingId"],
    }


def scheduled_own(meeting: dict, status: str) -> dict:
    """An item of ``GET /meetings?scheduled=true``."""
    return {
        "meetingid": meeting["meetingId"],
        **_scheduled_core(meeting, status),
        "createTime": meeting["createTime"],
        "coorganizerKeys": [str(k) for k in meeting["coorganizerKeys"]],
    }


def scheduled_by_organizer(store: Store, meeting: dict, status: str) -> dict:
    """An item of ``GET /organizers/{organizerKey}/meetings?scheduled=true``."""
    organizer = _organizer_of(store, meeting["organizerKey"])
    return {
        "meetingid": meeting["meetingId"],
        **_scheduled_core(meeting, status),
        "createTime": "",
        "organizerKey": str(meeting["organizerKey"]),
        **_who(organizer),
    }


def scheduled_by_group(store: Store, meeting: dict, status: str) -> dict:
    """An item of ``GET /groups/{groupKey}/meetings?scheduled=true``."""
    organizer = _organizer_of(store, meeting["organizerKey"])
    return {
        "meetingId": str(meeting["meetingId"]),
        **_scheduled_core(meeting, status),
        "organizerKey": str(meeting["organizerKey"]),
        "organizerkey": meeting["organizerKey"],
        **_who(organizer),
        "groupName": store.group_name(organizer["groupKey"]),
        "attendees": "",
    }


def upcoming(store: Store, meeting: dict, status: str, *, with_group: bool = False) -> dict:
    """An item of the newer ``upcomingMeetings`` calls."""
    organizer = _organizer_of(store, meeting["organizerKey"])
    item = {
        "meetingId": str(meeting["meetingId"]),
        **_scheduled_core(meeting, status),
        "organizerKey": str(meeting["organizerKey"]),
        **_who(organizer),
        **_account(organizer),
    }
    if with_group:
        item["groupName"] = store.group_name(organizer["groupKey"])
    return item


# -- history --------------------------------------------------------------------------------
def _history_core(store: Store, instance: dict) -> tuple[dict, dict]:
    organizer = _organizer_of(store, instance["organizerKey"])
    core = {
        "meetingInstanceKey": instance["meetingInstanceKey"],
        "subject": instance["subject"],
        "startTime": instance["startTime"],
        "endTime": instance["endTime"],
        "meetingType": instance["meetingType"],
        "conferenceCallInfo": instance["conferenceCallInfo"],
        "organizerKey": str(instance["organizerKey"]),
        "organizerkey": str(instance["organizerKey"]),
        **_who(organizer),
        "groupName": store.group_name(organizer["groupKey"]),
        **_account(organizer),
    }
    return core, organizer


def history_old(store: Store, instance: dict) -> dict:
    """An item of the older ``…meetings?history=true`` calls (numbers as numbers)."""
    core, _ = _history_core(store, instance)
    return {
        "meetingId": instance["meetingId"],
        **core,
        "sessionId": instance["sessionId"],
        "duration": instance["duration"],
        "numAttendees": instance["numAttendees"],
        "date": instance["startTime"],
        "meetingKey": instance["meetingId"],
        "uniqueMeetingId": instance["meetingId"],
        "newMeetingId": formatted_meeting_id(instance["meetingId"]),
        "newOrganizerKey": str(instance["organizerKey"]),
        "passwordRequired": instance["passwordRequired"],
        "status": "",
    }


def history_new(store: Store, instance: dict) -> dict:
    """An item of the newer ``historicalMeetings`` calls (ids and counts as strings)."""
    core, _ = _history_core(store, instance)
    return {
        "meetingId": str(instance["meetingId"]),
        **core,
        "sessionId": str(instance["sessionId"]),
        "duration": str(instance["duration"]),
        "numAttendees": str(instance["numAttendees"]),
    }


# -- attendees ------------------------------------------------------------------------------
def _attendee_core(store: Store, instance: dict, row: list) -> tuple[dict, dict]:
    organizer = _organizer_of(store, instance["organizerKey"])
    core = {
        "attendeeName": row[1],
        "attendeeEmail": row[2],
        "joinTime": row[3],
        "leaveTime": row[4],
        "duration": row[5],
        "meetingInstanceKey": instance["meetingInstanceKey"],
        "subject": instance["subject"],
        "startTime": instance["startTime"],
        "endTime": instance["endTime"],
        "meetingType": instance["meetingType"],
        "conferenceCallInfo": instance["conferenceCallInfo"],
        "numAttendees": instance["numAttendees"],
        "organizerkey": instance["organizerKey"],
        "organizerKey": str(instance["organizerKey"]),
        **_who(organizer),
        "groupName": store.group_name(organizer["groupKey"]),
    }
    return core, organizer


def attendee_by_meeting(store: Store, instance: dict, row: list) -> dict:
    """An item of ``GET /meetings/{meetingInstanceKey}/attendees``."""
    core, _ = _attendee_core(store, instance, row)
    return {**core, "meetingId": instance["meetingId"], "name": row[1]}


def attendee_by_organizer(store: Store, instance: dict, row: list) -> dict:
    """An item of ``GET /organizers/{organizerKey}/attendees`` (``name``: the organizer)."""
    core, organizer = _attendee_core(store, instance, row)
    return {
        **core,
        "meetingId": instance["meetingId"],
        "newMeetingId": formatted_meeting_id(instance["meetingId"]),
        "name": f"{organizer['firstName']} {organizer['lastName']}",
    }


def attendee_by_group(store: Store, instance: dict, row: list) -> dict:
    """An item of ``GET /groups/{groupKey}/attendees``."""
    core, _ = _attendee_core(store, instance, row)
    return {**core, "meetingId": str(instance["meetingId"])}


# -- organizers and groups --------------------------------------------------------------------
def organizer(store: Store, record: dict) -> dict:
    """An Organizer; no ``organizerKey`` while the invitation is pending."""
    item: dict = {}
    if record["organizerKey"] is not None:
        item["organizerKey"] = record["organizerKey"]
    item.update(
        {
            "email": record["email"],
            "firstName": record["firstName"],
            "lastName": record["lastName"],
            "groupId": record["groupKey"],
            "groupName": store.group_name(record["groupKey"]),
            "status": record["status"],
            "products": list(record["products"]),
            "maxNumAttendeesAllowed": record["maxNumAttendeesAllowed"],
        }
    )
    return item


def organizer_created(record: dict) -> dict:
    """An item of the 201 answer of organizer creation (``key`` only once confirmed)."""
    item: dict = {"email": record["email"]}
    if record["organizerKey"] is not None:
        item = {"key": record["organizerKey"], **item}
    return item


def group(store: Store, record: dict) -> dict:
    return {
        "groupkey": record["groupkey"],
        "groupName": record["groupName"],
        "parentKey": record["parentKey"],
        "status": record["status"],
        "numOrganizers": store.group_size(record["groupkey"]),
    }
