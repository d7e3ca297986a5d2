"""Times entered in Europe/Paris are sent to GoTo in UTC and shown back in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tests.meetings.conftest import sandbox_meeting

YEAR = timezone.now().year + 1


@pytest.mark.parametrize(
    "day, paris_start, paris_end, utc_start, utc_end",
    [
        # Winter: Paris is UTC+1.
        (f"{YEAR}-01-14", "10:00", "11:30", "09:00", "10:30"),
        # Summer: Paris is UTC+2.
        (f"{YEAR}-07-14", "10:00", "11:30", "08:00", "09:30"),
    ],
)
def test_paris_times_go_out_in_utc_and_come_back_in_paris(
    client_for, goto_organizer, sandbox, day, paris_start, paris_end, utc_start, utc_end
):
    client = client_for(goto_organizer)
    response = client.post(
        reverse("meetings:create"),
        {
            "subject": "Réunion à Paris",
            "timezone": "Europe/Paris",
            "start": f"{day}T{paris_start}",
            "end": f"{day}T{paris_end}",
            "meeting_type": "scheduled",
            "call_info": "VoIP",
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting = Meeting.objects.get()

    # Sent as UTC: what the sandbox (GoTo) stored.
    stored = sandbox_meeting(sandbox, meeting.meeting_id)
    assert stored["startTime"] == f"{day}T{utc_start}:00Z"
    assert stored["endTime"] == f"{day}T{utc_end}:00Z"
    # Cached in UTC too.
    assert meeting.start_time == datetime.fromisoformat(f"{day}T{utc_start}").replace(tzinfo=UTC)

    # Shown back in Paris: the detail page …
    detail = client.get(response["Location"]).content.decode()
    assert f"{day} {paris_start}" in detail
    assert "Europe/Paris" in detail
    # … and the edit form, with Paris still chosen.
    form = client.get(reverse("meetings:update", args=[meeting.pk])).content.decode()
    assert f'value="{day}T{paris_start}"' in form
    assert f'value="{day}T{paris_end}"' in form
    assert '<option value="Europe/Paris" selected>' in form


def test_update_keeps_the_round_trip(client_for, goto_organizer, sandbox):
    client = client_for(goto_organizer)
    client.post(
        reverse("meetings:create"),
        {
            "subject": "Planning",
            "timezone": "Europe/Paris",
            "start": f"{YEAR}-02-03T09:00",
            "end": f"{YEAR}-02-03T10:00",
            "meeting_type": "scheduled",
            "call_info": "PSTN",
        },
    )
    meeting = Meeting.objects.get()
    response = client.post(
        reverse("meetings:update", args=[meeting.pk]),
        {
            "subject": "Planning (moved)",
            "timezone": "America/New_York",
            "start": f"{YEAR}-02-03T09:00",
            "end": f"{YEAR}-02-03T10:15",
            "meeting_type": "scheduled",
            "call_info": "PSTN",
        },
    )
    assert response.status_code == 302
    stored = sandbox_meeting(sandbox, meeting.meeting_id)
    assert stored["startTime"] == f"{YEAR}-02-03T14:00:00Z"  # New York is UTC-5 in February
    assert stored["subject"] == "Planning (moved)"
    detail = client.get(response["Location"]).content.decode()
    assert f"{YEAR}-02-03 09:00" in detail


def test_form_defaults_to_the_tz_cookie(client, goto_organizer):
    client.force_login(goto_organizer)
    client.cookies["tz"] = "Asia/Tokyo"
    form = client.get(reverse("meetings:create")).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in form


def test_form_defaults_to_utc_without_a_choice(client_for, goto_organizer):
    form = client_for(goto_organizer).get(reverse("meetings:create")).content.decode()
    assert '<option value="UTC" selected>' in form


def test_a_bad_tz_cookie_falls_back_to_utc(client, goto_organizer):
    client.force_login(goto_organizer)
    client.cookies["tz"] = "<script>"
    form = client.get(reverse("meetings:create")).content.decode()
    assert '<option value="UTC" selected>' in form
