"""Request builders and canned API answers shared by the client tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gotomeeting import MeetingRequest, MeetingType

START = datetime(2026, 7, 1, 22, tzinfo=UTC)
CREATED = [{"joinURL": "https://join.example/1", "meetingid": 1, "maxParticipants": 26}]
GROUPS = [{"groupkey": 1, "groupName": "Acme", "parentKey": 1}]
INVALID_TOKEN = {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}


def api_error(code, msg):
    return {"int_err_code": code, "msg": msg}


def meeting_request(**changes):
    fields = {
        "subject": "Plan",
        "starttime": START,
        "endtime": START + timedelta(hours=1),
        "password_required": False,
        "conference_call_info": "VoIP",
        "meeting_type": MeetingType.SCHEDULED,
    }
    fields.update(changes)
    return MeetingRequest(**fields)
