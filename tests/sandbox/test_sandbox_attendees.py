"""Attendees (operations 16–18): by meeting instance, by organizer, by group."""

from __future__ import annotations

from sandbox.demo_account import DEMO_USERS, group_spec
from sandbox.testing import history_window

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
ENGINEERING = group_spec("Engineering").key


def an_instance_with_attendees(state: dict, organizer_key: int) -> dict:
    return next(
        i
        for i in reversed(state["instances"])
        if i["organizerKey"] == organizer_key and i["numAttendees"] > 1
    )


def test_attendees_by_instance_key_match_the_instance(shared_sandbox, tokens):
    state = shared_sandbox.state()
    instance = an_instance_with_attendees(state, MANAGER.key)
    key = instance["meetingInstanceKey"]
    result = shared_sandbox.api("GET", f"/meetings/{key}/attendees", token=tokens["manager"])
    assert result.status == 200
    rows = result.json()
    assert len(rows) == instance["numAttendees"]
    for row in rows:
        assert row["meetingInstanceKey"] == key
        assert row["meetingId"] == instance["meetingId"]
        assert row["numAttendees"] == instance["numAttendees"]
        assert row["organizerkey"] == MANAGER.key and row["organizerKey"] == str(MANAGER.key)
        assert row["email"] == MANAGER.email
        assert instance["startTime"] <= row["joinTime"] <= row["leaveTime"]
        assert isinstance(row["duration"], int) and row["duration"] >= 0
        assert row["name"] == row["attendeeName"]
    expected = {
        (a["attendeeName"], a["joinTime"])
        for a in state["attendees"]
        if a["meetingInstanceKey"] == key
    }
    assert {(r["attendeeName"], r["joinTime"]) for r in rows} == expected


def test_attendees_by_meeting_id_cover_every_instance_of_the_meeting(shared_sandbox, tokens):
    state = shared_sandbox.state()
    counts: dict[int, int] = {}
    for instance in state["instances"]:
        if instance["organizerKey"] == MANAGER.key:
            counts[instance["meetingId"]] = counts.get(instance["meetingId"], 0) + 1
    meeting_id = max(counts, key=counts.get)
    assert counts[meeting_id] > 1, "a recurring meeting with several instances"
    rows = shared_sandbox.api(
        "GET", f"/meetings/{meeting_id}/attendees", token=tokens["manager"]
    ).json()
    assert len({r["meetingInstanceKey"] for r in rows}) > 1
    assert {r["meetingId"] for r in rows} == {meeting_id}


def test_unknown_meeting_instance_is_not_found(shared_sandbox, tokens):
    result = shared_sandbox.api("GET", "/meetings/42/attendees", token=tokens["manager"])
    assert result.status == 404
    assert result.json()["int_err_code"] == "NotFound"


def test_attendees_of_anothers_meeting_are_admin_only(shared_sandbox, tokens):
    instance = an_instance_with_attendees(shared_sandbox.state(), MANAGER.key)
    path = f"/meetings/{instance['meetingInstanceKey']}/attendees"
    assert shared_sandbox.api("GET", path, token=tokens["organizer"]).status == 403
    assert shared_sandbox.api("GET", path, token=tokens["admin"]).status == 200


def test_attendees_by_organizer_cover_their_instances_in_the_range(shared_sandbox, tokens):
    params = history_window(60)
    rows = shared_sandbox.api(
        "GET", f"/organizers/{MANAGER.key}/attendees", token=tokens["manager"], params=params
    ).json()
    history = shared_sandbox.api(
        "GET", "/historicalMeetings", token=tokens["manager"], params=params
    ).json()
    assert rows
    assert len(rows) == sum(int(h["numAttendees"]) for h in history)
    assert {r["meetingInstanceKey"] for r in rows} <= {h["meetingInstanceKey"] for h in history}
    assert {r["name"] for r in rows} == {f"{MANAGER.first_name} {MANAGER.last_name}"}
    assert all(r["newMeetingId"].count("-") == 2 for r in rows)


def test_attendees_by_organizer_of_someone_else_is_admin_only(shared_sandbox, tokens):
    path = f"/organizers/{MANAGER.key}/attendees"
    denied = shared_sandbox.api("GET", path, token=tokens["organizer"], params=history_window(30))
    assert denied.status == 403
    assert denied.json()["int_err_code"] == "AccessDenied"


def test_attendees_by_group_cover_the_groups_instances(shared_sandbox, tokens):
    params = history_window(60)
    rows = shared_sandbox.api(
        "GET", f"/groups/{ENGINEERING}/attendees", token=tokens["admin"], params=params
    ).json()
    history = shared_sandbox.api(
        "GET", f"/groups/{ENGINEERING}/historicalMeetings", token=tokens["admin"], params=params
    ).json()
    assert len(rows) == sum(int(h["numAttendees"]) for h in history)
    assert {r["groupName"] for r in rows} == {"Engineering"}
    assert all(isinstance(r["meetingId"], str) for r in rows)
