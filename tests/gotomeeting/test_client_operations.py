"""Each operation calls the documented path and returns the typed answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from responses import matchers

from gotomeeting import MeetingStatus, NotFound, OrganizerStatus, ProductType

from .answers import api_error
from .conftest import API

START = datetime(2026, 6, 1, tzinfo=UTC)
END = START + timedelta(days=30)
WINDOW = {"startDate": "2026-06-01T00:00:00Z", "endDate": "2026-07-01T00:00:00Z"}
ORGANIZER = {
    "organizerKey": 300,
    "email": "ann@acme.example",
    "firstName": "Ann",
    "lastName": "Lee",
    "groupId": 20,
    "groupName": "Sales",
    "status": "active",
    "products": ["G2M"],
    "maxNumAttendeesAllowed": 250,
}
UPCOMING = [{"meetingId": 1, "subject": "Next", "startTime": "2026-08-01T10:00:00Z"}]
HISTORY = [{"meetingId": "1", "meetingInstanceKey": 11, "startTime": "2026-06-02T10:00:00Z"}]
ATTENDEES = [{"attendeeName": "Bo", "attendeeEmail": "bo@x.example", "meetingInstanceKey": 11}]


def query(call):
    return {key: values[0] for key, values in parse_qs(urlsplit(call.request.url).query).items()}


def test_every_call_sends_the_bearer_token_and_json_headers(api, client):
    api.get(f"{API}/groups", json=[])
    client.get_groups()
    headers = api.calls[0].request.headers
    assert headers["Authorization"] == "Bearer access-1"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"


def test_get_meeting_unwraps_the_array_of_one(api, client):
    api.get(f"{API}/meetings/42", json=[{"meetingId": 42, "status": "ACTIVE"}])
    meeting = client.get_meeting(42)
    assert meeting.meeting_id == 42
    assert meeting.status is MeetingStatus.ACTIVE


def test_delete_meeting_sends_delete(api, client):
    api.delete(f"{API}/meetings/42", status=204)
    assert client.delete_meeting(42) is None


def test_get_start_url_returns_the_host_url(api, client):
    api.get(f"{API}/meetings/42/start", json={"hostURL": "https://global.gotomeeting.com/s/42"})
    assert client.get_start_url(42) == "https://global.gotomeeting.com/s/42"


@pytest.mark.parametrize(
    ("method_name", "args", "path"),
    [
        ("get_upcoming_meetings", (), "/upcomingMeetings"),
        ("get_organizer_upcoming_meetings", (300,), "/organizers/300/upcomingMeetings"),
        ("get_group_upcoming_meetings", (20,), "/groups/20/upcomingMeetings"),
    ],
)
def test_upcoming_meetings_use_the_newer_paths(api, client, method_name, args, path):
    api.get(f"{API}{path}", json=UPCOMING)
    (meeting,) = getattr(client, method_name)(*args)
    assert (meeting.meeting_id, meeting.subject) == (1, "Next")


@pytest.mark.parametrize(
    ("method_name", "args", "path"),
    [
        ("get_historical_meetings", (), "/historicalMeetings"),
        ("get_organizer_historical_meetings", (300,), "/organizers/300/historicalMeetings"),
        ("get_group_historical_meetings", (20,), "/groups/20/historicalMeetings"),
    ],
)
def test_historical_meetings_use_the_newer_paths_with_the_date_range(
    api, client, method_name, args, path
):
    api.get(f"{API}{path}", json=HISTORY, match=[matchers.query_param_matcher(WINDOW)])
    (meeting,) = getattr(client, method_name)(*args, START, END)
    assert (meeting.meeting_id, meeting.meeting_instance_key) == (1, 11)


def test_an_api_without_the_newer_route_is_asked_in_the_older_form(api, client):
    api.get(f"{API}/organizers/300/historicalMeetings", status=404, body="Not Found")
    api.get(
        f"{API}/organizers/300/meetings",
        json=HISTORY,
        match=[matchers.query_param_matcher({"history": "true", **WINDOW})],
    )
    api.get(f"{API}/upcomingMeetings", status=404, body="<html>no route</html>")
    api.get(
        f"{API}/meetings",
        json=UPCOMING,
        match=[matchers.query_param_matcher({"scheduled": "true"})],
    )
    assert len(client.get_organizer_historical_meetings(300, START, END)) == 1
    assert len(client.get_upcoming_meetings()) == 1


def test_an_unknown_organizer_is_not_found_without_trying_the_older_form(api, client):
    api.get(
        f"{API}/organizers/999/upcomingMeetings",
        status=404,
        json=api_error("NotFound", "no such organizer"),
    )
    with pytest.raises(NotFound):
        client.get_organizer_upcoming_meetings(999)
    assert len(api.calls) == 1


def test_get_organizer_unwraps_the_array_of_one(api, client):
    api.get(f"{API}/organizers/300", json=[ORGANIZER])
    organizer = client.get_organizer(300)
    assert organizer.organizer_key == 300
    assert organizer.status is OrganizerStatus.ACTIVE
    assert organizer.products == (ProductType.G2M,)


def test_get_organizer_by_email_finds_a_pending_organizer(api, client):
    pending = {key: value for key, value in ORGANIZER.items() if key != "organizerKey"}
    api.get(
        f"{API}/organizers",
        json=[pending],
        match=[matchers.query_param_matcher({"email": "ann@acme.example"})],
    )
    organizer = client.get_organizer_by_email("ann@acme.example")
    assert organizer.is_pending


def test_get_organizer_by_email_with_an_empty_answer_is_not_found(api, client):
    api.get(f"{API}/organizers", json=[])
    with pytest.raises(NotFound):
        client.get_organizer_by_email("nobody@acme.example")


def test_an_email_with_a_plus_sign_is_sent_encoded(api, client):
    api.delete(f"{API}/organizers", status=204)
    client.delete_organizer_by_email("ann+test@acme.example")
    assert "email=ann%2Btest%40acme.example" in api.calls[0].request.url


def test_delete_organizer_by_key_and_by_email(api, client):
    api.delete(f"{API}/organizers/300", status=204)
    api.delete(
        f"{API}/organizers",
        status=204,
        match=[matchers.query_param_matcher({"email": "new@acme.example"})],
    )
    client.delete_organizer(300)
    client.delete_organizer_by_email("new@acme.example")
    assert len(api.calls) == 2


def test_organizer_lists(api, client):
    api.get(f"{API}/groups/20/organizers", json=[ORGANIZER])
    api.get(f"{API}/organizers", json=[ORGANIZER, {**ORGANIZER, "organizerKey": 301}])
    assert [o.organizer_key for o in client.get_organizers_by_group(20)] == [300]
    assert [o.organizer_key for o in client.get_organizers()] == [300, 301]
    assert query(api.calls[1]) == {}


def test_attendees_by_meeting_instance(api, client):
    api.get(f"{API}/meetings/11/attendees", json=[{"attendeeName": "Bo"}])
    (attendee,) = client.get_attendees_by_meeting(11)
    assert attendee.attendee_name == "Bo"
    assert attendee.meeting_instance_key == 11  # filled in when the answer leaves it out


@pytest.mark.parametrize(
    ("method_name", "key", "path"),
    [
        ("get_attendees_by_organizer", 300, "/organizers/300/attendees"),
        ("get_attendees_by_group", 20, "/groups/20/attendees"),
    ],
)
def test_attendees_by_organizer_and_group_send_the_date_range(api, client, method_name, key, path):
    api.get(f"{API}{path}", json=ATTENDEES, match=[matchers.query_param_matcher(WINDOW)])
    (attendee,) = getattr(client, method_name)(key, START, END)
    assert attendee.attendee_email == "bo@x.example"


def test_get_groups(api, client):
    api.get(
        f"{API}/groups",
        json=[
            {"groupkey": 20, "groupName": "Acme", "parentKey": 20, "numOrganizers": 3},
            {"groupkey": 21, "groupName": "Sales", "parentKey": 20, "numOrganizers": 1},
        ],
    )
    groups = client.get_groups()
    assert [(g.group_key, g.parent_key) for g in groups] == [(20, None), (21, 20)]
