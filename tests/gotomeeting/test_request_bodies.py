"""What the client sends: the API's exact field names, and validation before sending."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gotomeeting import (
    MeetingType,
    OrganizerRequest,
    OrganizerStatus,
    ProductType,
)

from .answers import START, meeting_request
from .conftest import API


def sent_json(call):
    return json.loads(call.request.body)


def test_meeting_request_json_uses_the_exact_api_field_names():
    request = meeting_request(
        starttime=datetime(2026, 7, 1, 19, 0, tzinfo=timezone(timedelta(hours=-5))),
        endtime=datetime(2026, 7, 2, 1, 30, tzinfo=UTC),
        password_required=True,
        conference_call_info="Hybrid",
        meeting_type="Recurring",
    )
    assert request.to_json() == {
        "subject": "Plan",
        "starttime": "2026-07-02T00:00:00Z",
        "endtime": "2026-07-02T01:30:00Z",
        "passwordrequired": True,
        "conferencecallinfo": "Hybrid",
        "timezonekey": "",
        "meetingtype": "recurring",
    }


def test_coorganizer_keys_are_sent_only_when_given():
    assert meeting_request(coorganizer_keys=[5, "6"]).to_json()["coorganizerKeys"] == [5, 6]
    assert meeting_request(coorganizer_keys=()).to_json()["coorganizerKeys"] == []
    assert "coorganizerKeys" not in meeting_request().to_json()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": "x" * 101}, "longer than 100"),
        ({"subject": "  "}, "blank"),
        ({"conference_call_info": "x" * 256}, "longer than 255"),
        ({"starttime": datetime(2026, 7, 1, 22)}, "no time zone"),
        ({"endtime": START}, "after starttime"),
        ({"meeting_type": "webinar"}, "webinar"),
    ],
)
def test_meeting_request_refuses_what_the_api_would_refuse(changes, message):
    with pytest.raises(ValueError, match=message):
        meeting_request(**changes)


def test_create_meeting_posts_the_request_and_unwraps_the_array_of_one(api, client):
    api.post(
        f"{API}/meetings",
        status=201,
        json=[
            {
                "joinURL": "https://global.gotomeeting.com/join/42",
                "meetingid": 42,
                "maxParticipants": 26,
                "uniqueMeetingId": 2000042,
                "conferenceCallInfo": "VoIP",
            }
        ],
    )
    created = client.create_meeting(meeting_request(meeting_type=MeetingType.IMMEDIATE))
    assert created.meeting_id == 42
    assert created.join_url.endswith("/42")
    assert sent_json(api.calls[0])["meetingtype"] == "immediate"


def test_update_meeting_puts_the_full_request(api, client):
    api.put(f"{API}/meetings/42", status=204)
    client.update_meeting(42, meeting_request(subject="Moved"))
    body = sent_json(api.calls[0])
    assert body["subject"] == "Moved"
    assert set(body) == {
        "subject",
        "starttime",
        "endtime",
        "passwordrequired",
        "conferencecallinfo",
        "timezonekey",
        "meetingtype",
    }


def test_update_organizer_status_sends_only_the_status(api, client):
    api.put(f"{API}/organizers/300", status=204)
    client.update_organizer_status(300, OrganizerStatus.SUSPENDED)
    assert sent_json(api.calls[0]) == {"status": "suspended"}


def test_update_organizer_status_adds_the_product_type_when_given(api, client):
    api.put(f"{API}/organizers/300", status=204)
    client.update_organizer_status(300, "Active", product_type=ProductType.G2W)
    assert sent_json(api.calls[0]) == {"status": "active", "productType": "G2W"}


def test_create_organizer_sends_the_api_field_names_and_returns_a_pending_organizer(api, client):
    api.post(f"{API}/organizers", status=201, json=[{"email": "new@acme.example"}])
    created = client.create_organizer(
        OrganizerRequest("new@acme.example", "New", "Person", ProductType.G2T)
    )
    assert sent_json(api.calls[0]) == {
        "organizerEmail": "new@acme.example",
        "firstName": "New",
        "lastName": "Person",
        "productType": "G2T",
    }
    assert created.is_pending


def test_create_organizer_in_a_group_posts_to_the_group(api, client):
    api.post(f"{API}/groups/20/organizers", status=201, json=[{"key": 301, "email": "a@x.example"}])
    created = client.create_organizer(OrganizerRequest("a@x.example", "A", "B"), group_key=20)
    assert created.organizer_key == 301
    assert sent_json(api.calls[0])["productType"] == "G2M"


def test_organizer_request_refuses_a_non_email():
    with pytest.raises(ValueError, match="email"):
        OrganizerRequest("not-an-email", "A", "B")


def test_time_windows_are_unaffected_by_microseconds():
    request = meeting_request(
        starttime=START + timedelta(microseconds=999), endtime=START + timedelta(hours=1)
    )
    assert request.to_json()["starttime"] == "2026-07-01T22:00:00Z"
