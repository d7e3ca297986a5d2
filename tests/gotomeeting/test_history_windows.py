"""History and attendee ranges over 60 days are walked in windows and merged without repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from gotomeeting import split_windows

from .conftest import API

START = datetime(2026, 1, 1, tzinfo=UTC)


def query_of(call):
    return {key: values[0] for key, values in parse_qs(urlsplit(call.request.url).query).items()}


def history_row(instance_key, meeting_id=10):
    return {
        "meetingId": str(meeting_id),
        "meetingInstanceKey": instance_key,
        "subject": f"Instance {instance_key}",
        "startTime": "2026-01-05T10:00:00Z",
        "duration": "30",
        "numAttendees": "2",
    }


def test_a_200_day_range_splits_into_four_consecutive_windows_of_at_most_60_days():
    windows = split_windows(START, START + timedelta(days=200))
    assert windows == [
        (START, START + timedelta(days=60)),
        (START + timedelta(days=60), START + timedelta(days=120)),
        (START + timedelta(days=120), START + timedelta(days=180)),
        (START + timedelta(days=180), START + timedelta(days=200)),
    ]


def test_a_range_of_exactly_60_days_is_one_window():
    assert split_windows(START, START + timedelta(days=60)) == [(START, START + timedelta(days=60))]


@pytest.mark.parametrize("days", [0, -1])
def test_an_empty_or_reversed_range_is_a_clear_value_error(days):
    with pytest.raises(ValueError, match="date range is empty"):
        split_windows(START, START + timedelta(days=days))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        split_windows(datetime(2026, 1, 1), datetime(2026, 2, 1))


def test_a_200_day_history_range_makes_four_calls_with_the_right_windows_and_no_repeats(
    api, client
):
    path = f"{API}/groups/20/historicalMeetings"
    api.get(path, json=[history_row(1), history_row(2)])
    api.get(path, json=[history_row(2), history_row(3)])  # 2 sits on the window boundary
    api.get(path, json=[])
    api.get(path, json=[history_row(4, meeting_id=11)])

    meetings = client.get_group_historical_meetings(20, START, START + timedelta(days=200))

    assert [meeting.meeting_instance_key for meeting in meetings] == [1, 2, 3, 4]
    assert [query_of(call) for call in api.calls] == [
        {"startDate": "2026-01-01T00:00:00Z", "endDate": "2026-03-02T00:00:00Z"},
        {"startDate": "2026-03-02T00:00:00Z", "endDate": "2026-05-01T00:00:00Z"},
        {"startDate": "2026-05-01T00:00:00Z", "endDate": "2026-06-30T00:00:00Z"},
        {"startDate": "2026-06-30T00:00:00Z", "endDate": "2026-07-20T00:00:00Z"},
    ]
    assert meetings[0].duration == 30


def test_dates_are_sent_in_utc_whatever_zone_they_come_in(api, client):
    start = datetime(2026, 7, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    api.get(f"{API}/historicalMeetings", json=[])
    client.get_historical_meetings(start, start + timedelta(hours=1))
    assert query_of(api.calls[0]) == {
        "startDate": "2026-07-01T12:00:00Z",
        "endDate": "2026-07-01T13:00:00Z",
    }


def test_an_empty_history_range_is_refused_before_any_call(api, client):
    with pytest.raises(ValueError):
        client.get_organizer_historical_meetings(300, START, START)
    assert len(api.calls) == 0


def test_attendees_over_90_days_are_fetched_in_two_windows_without_repeats(api, client):
    path = f"{API}/organizers/300/attendees"
    ann = {
        "attendeeName": "Ann",
        "attendeeEmail": "ann@example.com",
        "joinTime": "2026-03-01T10:00:00Z",
        "meetingInstanceKey": 1,
    }
    ann_rejoined = {**ann, "joinTime": "2026-03-01T10:20:00Z"}
    bob = {**ann, "attendeeName": "Bob", "attendeeEmail": "bob@example.com"}
    api.get(path, json=[ann, ann_rejoined])
    api.get(path, json=[{**ann, "attendeeEmail": "ANN@example.com"}, bob])

    attendees = client.get_attendees_by_organizer(300, START, START + timedelta(days=90))

    assert [(a.attendee_name, a.join_time.minute) for a in attendees] == [
        ("Ann", 0),
        ("Ann", 20),
        ("Bob", 0),
    ]
    assert len(api.calls) == 2
