"""Every answer shape the API has used parses into the typed dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gotomeeting import (
    Attendee,
    CreatedOrganizer,
    Group,
    HistoricalMeeting,
    Meeting,
    MeetingCreated,
    MeetingStatus,
    MeetingType,
    Organizer,
    OrganizerStatus,
    ProductType,
    ScheduledMeeting,
)
from gotomeeting.parsing import ApiFields, parse_datetime, parse_int, parse_retry_after

MOMENT = datetime(2012, 6, 25, 22, 10, 46, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2012-06-25T22:10:46Z",
        "2012-06-25T22:10:46+0000",
        "2012-06-25T22:10:46+00:00",
        "2012-06-25T22:10:46.+0000",
        "2012-06-25T22:10:46.000Z",
        "2012-06-25T22:10:46.000+0000",
        "06/25/2012 22:10:46",
        "2012-06-26T00:10:46+0200",
        "2012-06-25T17:10:46-05:00",
        "2012-06-25T22:10:46",
    ],
)
def test_every_date_form_parses_to_the_same_utc_moment(text):
    assert parse_datetime(text) == MOMENT
    assert parse_datetime(text).tzinfo == UTC


def test_fractional_seconds_are_kept_to_the_microsecond():
    assert parse_datetime("2012-06-25T22:10:46.123456789Z") == MOMENT.replace(microsecond=123456)
    assert parse_datetime("2012-06-25T22:10:46.5+0000") == MOMENT.replace(microsecond=500000)


def test_blank_dates_are_none_and_garbage_is_a_value_error():
    assert parse_datetime("") is None
    assert parse_datetime(None) is None
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime("yesterday")


def test_numbers_sent_as_strings_become_ints():
    assert parse_int("42") == 42
    assert parse_int(" 42 ") == 42
    assert parse_int("42.0") == 42
    assert parse_int(42) == 42
    assert parse_int("") is None
    with pytest.raises(ValueError):
        parse_int("forty-two")


@pytest.mark.parametrize(
    "value", ["42", "0042", " 42 ", "42.0", "-7", "\u0664\u0662", "", 42, 42.0, None]
)
def test_a_field_read_by_name_gives_what_the_general_parser_gives(value):
    # ApiFields.integer takes "123" and 123 without the general parser: same answer, and a
    # value it does not take that way ("²", Arabic-Indic digits, a float) still parses.
    assert ApiFields({"meetingId": value}, "Meeting").integer("meetingId") == parse_int(value)


def test_an_integer_field_that_is_not_a_number_names_the_field():
    with pytest.raises(ValueError, match=r"Meeting\.meetingId: not a number: '\xb2'"):
        ApiFields({"meetingId": "\u00b2"}, "Meeting").integer("meetingId")


@pytest.mark.parametrize("value", ["scheduled", "Scheduled", "SCHEDULED", " scheduled "])
def test_an_enum_value_reads_in_any_case(value):
    assert MeetingType.from_api(value) is MeetingType.SCHEDULED


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Wed, 01 Jul 2026 12:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("Wed, 01 Jul 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_meeting_created_reads_the_lower_case_meetingid():
    created = MeetingCreated.from_api(
        {
            "joinURL": "https://global.gotomeeting.com/join/123456789",
            "meetingid": 123456789,
            "maxParticipants": 26,
            "uniqueMeetingId": "200000000212345678",
            "conferenceCallInfo": "VoIP",
        }
    )
    assert created == MeetingCreated(
        join_url="https://global.gotomeeting.com/join/123456789",
        meeting_id=123456789,
        max_participants=26,
        unique_meeting_id=200000000212345678,
        conference_call_info="VoIP",
    )


def test_meeting_parses_status_type_and_ignores_deprecated_create_time():
    meeting = Meeting.from_api(
        {
            "meetingId": "555",
            "meetingKey": 777,
            "uniqueMeetingId": 999,
            "subject": "Weekly",
            "startTime": "2026-07-01T22:00:00Z",
            "endTime": "2026-07-01T23:00:00Z",
            "duration": "60",
            "status": "INACTIVE",
            "meetingType": "Scheduled",
            "passwordRequired": "false",
            "conferenceCallInfo": "Hybrid",
            "maxParticipants": 250,
            "createTime": "",
            "coorganizerKeys": ["11", 12],
        }
    )
    assert meeting.meeting_id == 555
    assert meeting.duration == 60
    assert meeting.status is MeetingStatus.INACTIVE
    assert meeting.meeting_type is MeetingType.SCHEDULED
    assert meeting.password_required is False
    assert meeting.coorganizer_keys == (11, 12)
    assert meeting.start_time == datetime(2026, 7, 1, 22, tzinfo=UTC)


def test_scheduled_meeting_accepts_meetingid_in_either_case_and_no_organizer_details():
    upcoming = ScheduledMeeting.from_api({"meetingid": 1, "subject": "Mine"})
    by_group = ScheduledMeeting.from_api(
        {
            "meetingId": "2",
            "subject": "Theirs",
            "organizerKey": "300",
            "firstName": "Ann",
            "lastName": "Lee",
            "email": "ann@acme.example",
            "groupName": "Sales",
        }
    )
    assert upcoming.meeting_id == 1
    assert upcoming.organizer_key is None
    assert upcoming.first_name == ""
    assert (by_group.meeting_id, by_group.organizer_key, by_group.group_name) == (2, 300, "Sales")


def test_historical_meeting_converts_string_numbers_and_both_organizer_key_names():
    newer = {
        "meetingId": "123",
        "meetingInstanceKey": 456,
        "sessionId": "abc-1",
        "subject": "Review",
        "startTime": "2012-06-25T22:10:46.+0000",
        "endTime": "06/25/2012 23:10:46",
        "duration": "60",
        "numAttendees": "4",
        "meetingType": "recurring",
        "conferenceCallInfo": "PSTN",
        "organizerKey": "789",
        "organizerkey": "789",
        "firstName": "Ann",
        "lastName": "Lee",
        "email": "ann@acme.example",
        "groupName": "Sales",
        "accountKey": "1000",
        "locale": "en_US",
    }
    meeting = HistoricalMeeting.from_api(newer)
    assert meeting == HistoricalMeeting(
        meeting_id=123,
        meeting_instance_key=456,
        session_id="abc-1",
        subject="Review",
        start_time=MOMENT,
        end_time=MOMENT.replace(hour=23),
        duration=60,
        num_attendees=4,
        meeting_type=MeetingType.RECURRING,
        conference_call_info="PSTN",
        organizer_key=789,
        first_name="Ann",
        last_name="Lee",
        email="ann@acme.example",
        group_name="Sales",
        account_key=1000,
        locale="en_US",
    )
    older = HistoricalMeeting.from_api(
        {"meetingid": 123, "meetinginstancekey": 456, "organizerkey": 789}
    )
    assert (older.meeting_id, older.meeting_instance_key, older.organizer_key) == (123, 456, 789)


def test_historical_meeting_without_its_instance_key_is_refused_with_the_field_named():
    with pytest.raises(ValueError, match="meetingInstanceKey"):
        HistoricalMeeting.from_api({"meetingId": 1})


def test_organizer_reads_newer_and_very_old_lower_case_answers_alike():
    newer = Organizer.from_api(
        {
            "organizerKey": 300,
            "email": "ann@acme.example",
            "firstName": "Ann",
            "lastName": "Lee",
            "groupId": 20,
            "groupName": "Sales",
            "status": "active",
            "products": ["G2M", "G2W"],
            "maxNumAttendeesAllowed": 250,
        }
    )
    older = Organizer.from_api(
        {
            "organizerkey": "300",
            "email": "ann@acme.example",
            "firstname": "Ann",
            "lastname": "Lee",
            "groupkey": "20",
            "groupname": "Sales",
            "status": "ACTIVE",
            "products": "G2M,G2W",
            "maxnumattendeesallowed": "250",
        }
    )
    assert newer == older
    assert newer.status is OrganizerStatus.ACTIVE
    assert newer.products == (ProductType.G2M, ProductType.G2W)
    assert newer.is_pending is False


def test_pending_organizer_has_no_key():
    pending = Organizer.from_api({"email": "new@acme.example", "status": "active"})
    assert pending.organizer_key is None
    assert pending.is_pending is True


def test_unknown_enum_values_from_the_api_become_none_rather_than_failing():
    organizer = Organizer.from_api(
        {"email": "x@acme.example", "status": "frozen", "products": ["G2M", "G2X"]}
    )
    assert organizer.status is None
    assert organizer.products == (ProductType.G2M,)


def test_created_organizer_key_is_optional_until_confirmed():
    assert CreatedOrganizer.from_api({"email": "new@acme.example"}).organizer_key is None
    assert CreatedOrganizer.from_api({"key": "301", "email": "a@acme.example"}).organizer_key == 301


def test_attendee_parses_times_and_both_organizer_key_names():
    attendee = Attendee.from_api(
        {
            "attendeeName": "Bo Chen",
            "attendeeEmail": "bo@example.com",
            "joinTime": "2026-07-01T22:01:00Z",
            "leaveTime": "2026-07-01T22:41:00.+0000",
            "duration": "40",
            "meetingInstanceKey": "456",
            "meetingId": 123,
            "organizerkey": "789",
        }
    )
    assert attendee.join_time == datetime(2026, 7, 1, 22, 1, tzinfo=UTC)
    assert attendee.leave_time == datetime(2026, 7, 1, 22, 41, tzinfo=UTC)
    assert (attendee.duration, attendee.meeting_instance_key, attendee.organizer_key) == (
        40,
        456,
        789,
    )
    assert attendee.subject == ""
    assert attendee.start_time is None


@pytest.mark.parametrize(
    "bad", ["2026-13-01T22:01:00Z", "2026-07-01T25:01:00Z", "2026-07-01Tab:cd:efZ"]
)
def test_a_date_in_the_usual_shape_but_impossible_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"^Attendee\.joinTime: "):
        Attendee.from_api({"attendeeName": "Bo", "joinTime": bad})


def test_group_parent_key_is_none_when_it_points_to_itself():
    top = Group.from_api({"groupkey": 20, "groupName": "Acme", "parentKey": 20, "status": "active"})
    child = Group.from_api(
        {"groupkey": "21", "groupName": "Sales", "parentKey": "20", "numOrganizers": "7"}
    )
    assert top.parent_key is None
    assert (child.group_key, child.parent_key, child.num_organizers) == (21, 20, 7)


def test_extra_fields_are_ignored():
    group = Group.from_api({"groupkey": 1, "groupName": "A", "brandNewField": {"x": 1}})
    assert group == Group(group_key=1, name="A")


def test_a_value_of_the_wrong_kind_is_refused_with_the_field_named():
    with pytest.raises(ValueError, match=r"Meeting\.duration"):
        Meeting.from_api({"meetingId": 1, "duration": "an hour"})


def test_enums_parse_any_case():
    assert MeetingType("IMMEDIATE") is MeetingType.IMMEDIATE
    assert MeetingType("Recurring") is MeetingType.RECURRING
    assert OrganizerStatus("Suspended") is OrganizerStatus.SUSPENDED
    assert ProductType("openvoice") is ProductType.OPENVOICE
    assert MeetingStatus("active") is MeetingStatus.ACTIVE
