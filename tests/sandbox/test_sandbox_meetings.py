"""Meetings (operations 1–8): status codes, shapes and rules, over real HTTP."""

from __future__ import annotations

import re

import pytest

from sandbox.demo_account import BIG_GROUP, DEMO_USERS, group_spec
from sandbox.testing import SandboxHandle, history_window

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
ENGINEERING = group_spec("Engineering").key
BIG = group_spec(BIG_GROUP).key
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def meeting_request(**overrides: object) -> dict:
    body = {
        "subject": "Quarterly planning",
        "starttime": "2031-03-01T15:00:00Z",
        "endtime": "2031-03-01T16:00:00Z",
        "passwordrequired": False,
        "conferencecallinfo": "Hybrid",
        "timezonekey": "",
        "meetingtype": "scheduled",
    }
    body.update(overrides)
    return body


def create(sandbox: SandboxHandle, token: str, **overrides: object) -> dict:
    result = sandbox.api("POST", "/meetings", token=token, json_body=meeting_request(**overrides))
    assert result.status == 201, result.text
    return result.json()[0]


# -- create, get, update, delete, start -----------------------------------------------------------
def test_create_meeting_answers_201_with_an_array_of_one_created_meeting(shared_sandbox, tokens):
    result = shared_sandbox.api(
        "POST", "/meetings", token=tokens["organizer"], json_body=meeting_request()
    )
    assert result.status == 201
    body = result.json()
    assert isinstance(body, list) and len(body) == 1
    created = body[0]
    assert set(created) == {
        "joinURL",
        "meetingid",
        "maxParticipants",
        "uniqueMeetingId",
        "conferenceCallInfo",
    }
    assert isinstance(created["meetingid"], int)
    assert created["joinURL"] == f"{shared_sandbox.base_url}/join/{created['meetingid']}"
    assert created["conferenceCallInfo"] == "Hybrid"


def test_created_meeting_belongs_to_the_token_organizer_and_is_upcoming(shared_sandbox, tokens):
    created = create(shared_sandbox, tokens["organizer"], subject="Mine")
    upcoming = shared_sandbox.api("GET", "/upcomingMeetings", token=tokens["organizer"]).json()
    mine = [m for m in upcoming if m["meetingId"] == str(created["meetingid"])]
    assert len(mine) == 1
    assert mine[0]["organizerKey"] == str(ORGANIZER.key)
    assert mine[0]["subject"] == "Mine"
    assert mine[0]["status"] == "INACTIVE"
    scheduled = shared_sandbox.api(
        "GET", "/meetings", token=tokens["organizer"], params={"scheduled": "true"}
    ).json()
    assert created["meetingid"] in [m["meetingid"] for m in scheduled]


def test_get_meeting_answers_an_array_of_one_meeting(shared_sandbox, tokens):
    created = create(
        shared_sandbox, tokens["organizer"], meetingtype="RECURRING", passwordrequired=True
    )
    result = shared_sandbox.api(
        "GET", f"/meetings/{created['meetingid']}", token=tokens["organizer"]
    )
    assert result.status == 200
    [meeting] = result.json()
    assert meeting["meetingId"] == meeting["meetingKey"] == created["meetingid"]
    assert meeting["meetingType"] == "recurring"  # any case accepted, sent lower-case
    assert meeting["passwordRequired"] is True
    assert meeting["duration"] == 60
    assert meeting["startTime"] == "2031-03-01T15:00:00Z"
    assert meeting["status"] == "INACTIVE"
    assert meeting["createTime"] == ""
    assert meeting["coorganizerKeys"] == []


def test_update_meeting_answers_204_and_changes_the_meeting(shared_sandbox, tokens):
    created = create(shared_sandbox, tokens["organizer"])
    path = f"/meetings/{created['meetingid']}"
    update = meeting_request(
        subject="Moved",
        starttime="2031-04-01T09:00:00Z",
        endtime="2031-04-01T09:30:00Z",
        conferencecallinfo="VoIP",
    )
    result = shared_sandbox.api("PUT", path, token=tokens["organizer"], json_body=update)
    assert result.status == 204
    assert result.body == b""
    [meeting] = shared_sandbox.api("GET", path, token=tokens["organizer"]).json()
    assert (meeting["subject"], meeting["duration"], meeting["conferenceCallInfo"]) == (
        "Moved",
        30,
        "VoIP",
    )


def test_delete_meeting_answers_204_then_the_meeting_is_gone(shared_sandbox, tokens):
    created = create(shared_sandbox, tokens["organizer"])
    path = f"/meetings/{created['meetingid']}"
    assert shared_sandbox.api("DELETE", path, token=tokens["organizer"]).status == 204
    gone = shared_sandbox.api("GET", path, token=tokens["organizer"])
    assert gone.status == 404
    assert gone.json()["int_err_code"] == "NotFound"


def test_start_meeting_gives_a_host_url_that_serves_a_join_page(shared_sandbox, tokens):
    created = create(shared_sandbox, tokens["organizer"], subject="Kick-off")
    result = shared_sandbox.api(
        "GET", f"/meetings/{created['meetingid']}/start", token=tokens["organizer"]
    )
    assert result.status == 200
    host_url = result.json()["hostURL"]
    assert host_url == f"{shared_sandbox.base_url}/join/{created['meetingid']}?host=1"
    page = shared_sandbox.request("GET", host_url.removeprefix(shared_sandbox.base_url))
    assert page.status == 200
    assert "Kick-off" in page.text and "host" in page.text


def test_admin_may_read_and_start_another_organizers_meeting(shared_sandbox, tokens):
    created = create(shared_sandbox, tokens["organizer"])
    path = f"/meetings/{created['meetingid']}"
    assert shared_sandbox.api("GET", path, token=tokens["admin"]).status == 200
    assert shared_sandbox.api("GET", path + "/start", token=tokens["admin"]).status == 200


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"subject": None}, "missing subject"),
        ({"starttime": "tomorrow"}, "bad date"),
        ({"endtime": "2031-03-01T14:00:00Z"}, "end before start"),
        ({"subject": "x" * 101}, "subject over 100 characters"),
        ({"meetingtype": "weekly"}, "unknown meeting type"),
        ({"passwordrequired": "no"}, "not a boolean"),
        ({"conferencecallinfo": "x" * 256}, "call info over 255 characters"),
        ({"timezonekey": None}, "missing timezonekey"),
    ],
)
def test_create_meeting_refuses_bad_input_with_400(shared_sandbox, tokens, overrides, why):
    body = meeting_request(**{k: v for k, v in overrides.items() if v is not None})
    for name in [k for k, v in overrides.items() if v is None]:
        del body[name]
    result = shared_sandbox.api("POST", "/meetings", token=tokens["organizer"], json_body=body)
    assert result.status == 400, why
    assert result.json()["int_err_code"] == "InvalidRequest"
    assert result.json()["msg"]


def test_free_text_conference_call_info_is_kept(shared_sandbox, tokens):
    info = "Dial +1 555 0100, access code 123456#"
    created = create(shared_sandbox, tokens["organizer"], conferencecallinfo=info)
    assert created["conferenceCallInfo"] == info


# -- lists: scheduled / upcoming -----------------------------------------------------------------
def test_scheduled_older_form_uses_lowercase_meetingid(shared_sandbox, tokens):
    items = shared_sandbox.api(
        "GET", "/meetings", token=tokens["manager"], params={"scheduled": "true"}
    ).json()
    assert items
    for item in items:
        assert isinstance(item["meetingid"], int) and "meetingId" not in item
        assert item["status"] in ("ACTIVE", "INACTIVE")
        assert ISO_Z.match(item["startTime"]) and ISO_Z.match(item["endTime"])


def test_upcoming_newer_forms_send_meeting_id_as_string_with_organizer(shared_sandbox, tokens):
    own = shared_sandbox.api("GET", "/upcomingMeetings", token=tokens["manager"]).json()
    by_key = shared_sandbox.api(
        "GET", f"/organizers/{MANAGER.key}/upcomingMeetings", token=tokens["admin"]
    ).json()
    assert own == by_key
    assert own
    for item in own:
        assert isinstance(item["meetingId"], str) and item["meetingId"].isdigit()
        assert item["organizerKey"] == str(MANAGER.key)
        assert item["email"] == MANAGER.email
        assert item["endTime"] > history_window(0)["endDate"]


def test_group_upcoming_forms_carry_group_name(shared_sandbox, tokens):
    newer = shared_sandbox.api(
        "GET", f"/groups/{ENGINEERING}/upcomingMeetings", token=tokens["admin"]
    ).json()
    older = shared_sandbox.api(
        "GET",
        f"/groups/{ENGINEERING}/meetings",
        token=tokens["admin"],
        params={"scheduled": "true"},
    ).json()
    assert newer and len(newer) == len(older)
    assert {i["groupName"] for i in newer} == {"Engineering"}
    assert {i["meetingId"] for i in newer} == {i["meetingId"] for i in older}
    assert all(isinstance(i["organizerkey"], int) for i in older)


def test_organizer_scheduled_older_form_adds_organizer_fields(shared_sandbox, tokens):
    items = shared_sandbox.api(
        "GET",
        f"/organizers/{MANAGER.key}/meetings",
        token=tokens["admin"],
        params={"scheduled": "true"},
    ).json()
    assert items
    assert {(i["organizerKey"], i["firstName"], i["email"]) for i in items} == {
        (str(MANAGER.key), MANAGER.first_name, MANAGER.email)
    }


def test_live_meetings_are_active_in_upcoming_and_absent_from_history(shared_sandbox, tokens):
    state = shared_sandbox.state()
    live = [m for m in state["meetings"] if m["status"] == "ACTIVE"]
    assert len(live) >= 2
    meeting = live[0]
    upcoming = shared_sandbox.api(
        "GET", f"/organizers/{meeting['organizerKey']}/upcomingMeetings", token=tokens["admin"]
    ).json()
    [listed] = [i for i in upcoming if i["meetingId"] == str(meeting["meetingId"])]
    assert listed["status"] == "ACTIVE"
    history = shared_sandbox.api(
        "GET",
        f"/organizers/{meeting['organizerKey']}/historicalMeetings",
        token=tokens["admin"],
        params=history_window(1),
    ).json()
    assert str(meeting["meetingId"]) not in [h["meetingId"] for h in history]


# -- lists: history ------------------------------------------------------------------------------
def test_history_older_form_sends_numbers_and_both_organizer_key_names(shared_sandbox, tokens):
    items = shared_sandbox.api(
        "GET",
        "/meetings",
        token=tokens["manager"],
        params={"history": "true", **history_window(60)},
    ).json()
    assert items
    for item in items:
        assert isinstance(item["meetingId"], int)
        assert isinstance(item["meetingInstanceKey"], int)
        assert isinstance(item["duration"], int) and isinstance(item["numAttendees"], int)
        assert item["organizerKey"] == item["organizerkey"] == str(MANAGER.key)
        assert item["groupName"] == "Engineering"
        assert item["accountKey"] and item["locale"]


def test_history_newer_form_sends_ids_and_counts_as_strings(shared_sandbox, tokens):
    items = shared_sandbox.api(
        "GET", "/historicalMeetings", token=tokens["manager"], params=history_window(60)
    ).json()
    assert items
    for item in items:
        assert isinstance(item["meetingId"], str)
        assert isinstance(item["duration"], str) and item["duration"].isdigit()
        assert isinstance(item["numAttendees"], str) and item["numAttendees"].isdigit()
        assert isinstance(item["meetingInstanceKey"], int)
        assert item["organizerKey"] == item["organizerkey"]


def test_history_holds_exactly_the_started_instances_in_the_range(shared_sandbox, tokens):
    params = history_window(60)
    items = shared_sandbox.api(
        "GET", "/historicalMeetings", token=tokens["manager"], params=params
    ).json()
    state = shared_sandbox.state()
    expected = {
        i["meetingInstanceKey"]
        for i in state["instances"]
        if i["organizerKey"] == MANAGER.key
        and params["startDate"] <= i["startTime"] <= params["endDate"]
    }
    assert {i["meetingInstanceKey"] for i in items} == expected
    never_started = {m["meetingId"] for m in state["meetings"]} - {
        i["meetingId"] for i in state["instances"]
    }
    assert never_started, "the generated data has scheduled meetings that never started"
    assert not {int(i["meetingId"]) for i in items} & never_started


def test_organizer_and_group_history_forms_agree(shared_sandbox, tokens):
    params = history_window(60)
    by_org = shared_sandbox.api(
        "GET", f"/organizers/{MANAGER.key}/historicalMeetings", token=tokens["admin"], params=params
    ).json()
    by_org_old = shared_sandbox.api(
        "GET",
        f"/organizers/{MANAGER.key}/meetings",
        token=tokens["admin"],
        params={"history": "true", **params},
    ).json()
    by_group = shared_sandbox.api(
        "GET", f"/groups/{ENGINEERING}/historicalMeetings", token=tokens["admin"], params=params
    ).json()
    by_group_old = shared_sandbox.api(
        "GET",
        f"/groups/{ENGINEERING}/meetings",
        token=tokens["admin"],
        params={"history": "true", **params},
    ).json()
    keys = {i["meetingInstanceKey"] for i in by_org}
    assert keys and keys == {i["meetingInstanceKey"] for i in by_org_old}
    group_keys = {i["meetingInstanceKey"] for i in by_group}
    assert keys < group_keys
    assert group_keys == {i["meetingInstanceKey"] for i in by_group_old}
    assert {i["groupName"] for i in by_group} == {"Engineering"}


@pytest.mark.parametrize(
    "path",
    [
        "/historicalMeetings",
        "/meetings?history=true",
        f"/organizers/{MANAGER.key}/historicalMeetings",
        f"/organizers/{MANAGER.key}/meetings?history=true",
        f"/groups/{ENGINEERING}/historicalMeetings",
        f"/groups/{ENGINEERING}/meetings?history=true",
        f"/organizers/{MANAGER.key}/attendees",
        f"/groups/{ENGINEERING}/attendees",
    ],
)
def test_date_ranges_over_60_days_are_refused(shared_sandbox, tokens, path):
    token = tokens["admin"] if "/groups/" in path else tokens["manager"]
    too_long = shared_sandbox.api("GET", path, token=token, params=history_window(61))
    assert too_long.status == 400
    assert too_long.json()["int_err_code"] == "InvalidRequest"
    just_right = shared_sandbox.api("GET", path, token=token, params=history_window(60))
    assert just_right.status == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"startDate": "2026-01-01T00:00:00Z"},
        {"startDate": "yesterday", "endDate": "2026-01-01T00:00:00Z"},
        {"startDate": "2026-02-01T00:00:00Z", "endDate": "2026-01-01T00:00:00Z"},
    ],
)
def test_history_needs_a_valid_date_range(shared_sandbox, tokens, params):
    result = shared_sandbox.api(
        "GET", "/historicalMeetings", token=tokens["manager"], params=params
    )
    assert result.status == 400
    assert result.json()["int_err_code"] == "InvalidRequest"


def test_dates_with_offsets_and_fractions_are_accepted(shared_sandbox, tokens):
    params = {"startDate": "2026-01-01T00:00:00.000+0000", "endDate": "2026-02-01T00:00:00+00:00"}
    result = shared_sandbox.api(
        "GET", "/historicalMeetings", token=tokens["manager"], params=params
    )
    assert result.status == 200


def test_older_meetings_call_needs_scheduled_or_history(shared_sandbox, tokens):
    neither = shared_sandbox.api("GET", "/meetings", token=tokens["manager"])
    both = shared_sandbox.api(
        "GET", "/meetings", token=tokens["manager"], params={"scheduled": "true", "history": "true"}
    )
    assert neither.status == both.status == 400


@pytest.mark.parametrize(
    "path",
    [
        f"/groups/{BIG}/historicalMeetings",
        f"/groups/{BIG}/upcomingMeetings",
        f"/groups/{BIG}/meetings?scheduled=true",
        f"/groups/{BIG}/meetings?history=true",
        f"/groups/{BIG}/attendees",
    ],
)
def test_group_scoped_calls_refuse_groups_of_more_than_50_organizers(shared_sandbox, tokens, path):
    result = shared_sandbox.api("GET", path, token=tokens["admin"], params=history_window(30))
    assert result.status == 400
    assert result.json()["int_err_code"] == "InvalidRequest"
    assert "50" in result.json()["msg"]
