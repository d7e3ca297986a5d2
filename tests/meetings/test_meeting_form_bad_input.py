"""Every bad input of the create and update forms: a clear message, nothing sent to GoTo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from meetings.models import Meeting
from portal.dates import OUT_OF_RANGE
from tests.factories import MeetingFactory, OrganizerFactory
from tests.meetings.conftest import api_calls

NEXT_YEAR = timezone.now().year + 1


def good(**changes) -> dict:
    data = {
        "subject": "Quarterly planning",
        "timezone": "Europe/Paris",
        "start": f"{NEXT_YEAR}-05-12T10:00",
        "end": f"{NEXT_YEAR}-05-12T11:00",
        "meeting_type": "scheduled",
        "call_info": "VoIP",
        "private_call_info": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def past(hours: int) -> str:
    return (timezone.now() - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


BAD_INPUTS = [
    pytest.param(good(subject=""), "This field is required.", id="blank-subject"),
    pytest.param(good(subject="   "), "This field is required.", id="spaces-subject"),
    pytest.param(
        good(subject="x" * 101),
        "Ensure this value has at most 100 characters (it has 101).",
        id="subject-too-long",
    ),
    pytest.param(good(start=None), "This field is required.", id="no-start"),
    pytest.param(good(start="12/05 ten o'clock"), "Enter a valid date/time.", id="bad-start"),
    pytest.param(good(end="2027-13-45T99:00"), "Enter a valid date/time.", id="bad-end"),
    pytest.param(
        good(end=f"{NEXT_YEAR}-05-12T09:00"), "The end must be after the start.", id="end-before"
    ),
    pytest.param(
        good(end=f"{NEXT_YEAR}-05-12T10:00"), "The end must be after the start.", id="end-equal"
    ),
    pytest.param(
        good(timezone="UTC", start=past(2), end=past(1)),
        "The start is in the past",
        id="scheduled-in-the-past",
    ),
    pytest.param(
        good(timezone="UTC", start=past(2), end=past(1), meeting_type="recurring"),
        "The start is in the past",
        id="recurring-in-the-past",
    ),
    pytest.param(good(timezone="Mars/Olympus_Mons"), "Select a valid choice", id="bad-zone"),
    pytest.param(good(meeting_type="weekly"), "Select a valid choice", id="bad-type"),
    pytest.param(good(call_info="Carrier pigeon"), "Select a valid choice", id="bad-call-info"),
    pytest.param(
        good(call_info="Private", private_call_info="+1 555 0100 " * 30),
        "Ensure this value has at most 255 characters",
        id="own-numbers-too-long",
    ),
    pytest.param(
        good(call_info="VoIP", private_call_info="+1 555 0100"),
        "Own numbers go with “Private”",
        id="own-numbers-without-private",
    ),
    pytest.param(
        # Clocks in Paris jump from 02:00 to 03:00 on the last Sunday of March.
        good(start="2030-03-31T02:30", end="2030-03-31T04:00"),
        "This time does not exist in Europe/Paris",
        id="time-in-dst-gap",
    ),
    pytest.param(
        # The end of the calendar: read in UTC it would be year 10000.
        good(timezone="America/Los_Angeles", start="9999-12-31T22:00", end="9999-12-31T23:00"),
        OUT_OF_RANGE,
        id="year-9999-west-of-utc",
    ),
    pytest.param(
        good(timezone="Pacific/Kiritimati", start="0001-01-01T10:00", end="0001-01-01T11:00"),
        OUT_OF_RANGE,
        id="year-1-east-of-utc",
    ),
]


@pytest.mark.parametrize("data, message", BAD_INPUTS)
def test_create_with_bad_input_sends_nothing(client_for, goto_organizer, sandbox, data, message):
    response = client_for(goto_organizer).post(reverse("meetings:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Nothing was sent to GoTo" in html
    assert api_calls(sandbox) == 0
    assert not Meeting.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("data, message", BAD_INPUTS)
def test_update_with_bad_input_sends_nothing(client_for, goto_organizer, sandbox, data, message):
    organizer = OrganizerFactory(organizer_key=goto_organizer.organizer_key)
    meeting = MeetingFactory(organizer=organizer, subject="Unchanged")
    response = client_for(goto_organizer).post(reverse("meetings:update", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert api_calls(sandbox) == 0
    meeting.refresh_from_db()
    assert meeting.subject == "Unchanged"
    assert not AuditEntry.objects.exists()


def test_immediate_meeting_may_start_now(client_for, goto_organizer, sandbox):
    now = timezone.now()
    data = good(
        timezone="UTC",
        meeting_type="immediate",
        start=(now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"),
        end=(now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client_for(goto_organizer).post(reverse("meetings:create"), data)
    assert response.status_code == 302
    assert api_calls(sandbox) == 1
