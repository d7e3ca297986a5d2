"""The state file (persistence, ``--reset``), determinism, and what each size generates."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from sandbox.demo_account import BIG_GROUP, DEMO_USERS, ORDINARY_GROUPS, group_spec
from sandbox.generator import generate
from sandbox.sizes import SIZES
from sandbox.testing import running_sandbox
from sandbox.timeutil import parse_iso

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
ANCHOR = parse_iso("2026-03-02T12:00:00Z")
LARGE_GENERATION_BUDGET_SECONDS = 8.0
MEETING = {
    "subject": "Survives restarts",
    "starttime": "2031-05-01T10:00:00Z",
    "endtime": "2031-05-01T11:00:00Z",
    "passwordrequired": False,
    "conferencecallinfo": "Hybrid",
    "timezonekey": "",
    "meetingtype": "scheduled",
}


def test_state_survives_a_restart_with_the_same_state_file(tmp_path):
    path = tmp_path / "state.json"
    with running_sandbox(state_path=path) as first:
        token = first.token_for(ORGANIZER.email)
        created = first.api(
            "POST", "/meetings", token=token["access_token"], json_body=MEETING
        ).json()[0]
        anchor = first.state()["meta"]["anchor"]
    saved = json.loads(path.read_text())
    assert created["meetingid"] in [m["meetingId"] for m in saved["meetings"]]
    assert not list(tmp_path.glob("*.tmp")), "written through a temp file + rename"
    with running_sandbox(state_path=path) as second:
        assert second.state()["meta"]["anchor"] == anchor
        result = second.api("GET", f"/meetings/{created['meetingid']}", token=token["access_token"])
        assert result.status == 200, "the access token survives the restart too"
        assert result.json()[0]["subject"] == "Survives restarts"


def test_reset_flag_regenerates_the_state(tmp_path):
    path = tmp_path / "state.json"
    with running_sandbox(state_path=path) as first:
        token = first.token_for(ORGANIZER.email)["access_token"]
        created = first.api("POST", "/meetings", token=token, json_body=MEETING).json()[0]
    with running_sandbox(state_path=path, reset=True) as second:
        meeting_ids = [m["meetingId"] for m in second.state()["meetings"]]
        assert created["meetingid"] not in meeting_ids


def test_a_state_file_for_another_seed_is_regenerated(tmp_path):
    path = tmp_path / "state.json"
    with running_sandbox(state_path=path, seed=1) as first:
        one = [o["email"] for o in first.state()["organizers"]]
    with running_sandbox(state_path=path, seed=2) as second:
        assert second.state()["meta"]["seed"] == 2
        assert [o["email"] for o in second.state()["organizers"]] != one


def test_the_same_seed_and_anchor_give_the_same_data():
    assert generate(1, "small", ANCHOR) == generate(1, "small", ANCHOR)
    assert generate(1, "demo", ANCHOR) == generate(1, "demo", ANCHOR)
    assert generate(1, "small", ANCHOR) != generate(2, "small", ANCHOR)


def test_two_processes_with_the_same_seed_and_anchor_serve_the_same_state():
    def comparable(state: dict) -> dict:
        keepalive = {m["meetingId"] for m in state["meetings"] if m["source"] == "keepalive"}
        return {
            "groups": state["groups"],
            "organizers": state["organizers"],
            "meetings": [m for m in state["meetings"] if m["meetingId"] not in keepalive],
            "instances": state["instances"],
            "attendees": state["attendees"],
        }

    with running_sandbox(seed=7, anchor="2026-03-02T12:00:00Z") as one:
        first = one.state()
    with running_sandbox(seed=7, anchor="2026-03-02T12:00:00Z") as two:
        second = two.state()
    assert first["meta"]["anchor"] == "2026-03-02T12:00:00Z"
    assert comparable(first) == comparable(second)


def test_there_are_always_meetings_running_at_start_up():
    # The anchor is in the past: the meetings generated live then have ended (and became
    # history); two new ones are started so the portal always has live meetings to show.
    with running_sandbox(anchor="2026-03-02T12:00:00Z") as handle:
        meetings = handle.state()["meetings"]
        active = [m for m in meetings if m["status"] == "ACTIVE"]
        assert len(active) == 2
        assert {m["source"] for m in active} == {"keepalive"}
        settled = [
            m
            for m in meetings
            if m["startTime"] < "2026-03-02T12:00:00Z" and m["endTime"] > "2026-03-02T12:00:00Z"
        ]
        instances = {i["meetingId"] for i in handle.state()["instances"]}
        assert settled and all(m["meetingId"] in instances for m in settled)


@pytest.mark.parametrize("size", ["small", "demo", "large"])
def test_every_size_has_every_kind_of_object(size):
    data = generate(3, size, ANCHOR)
    organizers = data["organizers"]
    big = group_spec(BIG_GROUP).key
    per_group = Counter(o["groupKey"] for o in organizers)
    assert per_group[big] > 50
    assert all(0 < per_group[group_spec(name).key] <= 50 for name in ORDINARY_GROUPS)
    assert any(o["organizerKey"] is None for o in organizers), "pending"
    assert any(o["status"] == "suspended" for o in organizers)
    assert {p for o in organizers for p in o["products"]} == {"G2M", "G2W", "G2T", "OPENVOICE"}
    assert {i["meetingType"] for i in data["instances"]} == {"scheduled", "recurring", "immediate"}
    assert sum(m["live"] for m in data["meetings"]) >= 2
    anchor_text = "2026-03-02T12:00:00Z"
    assert any(m["startTime"] > anchor_text for m in data["meetings"]), "scheduled meetings"
    assert all(i["endTime"] < anchor_text for i in data["instances"])
    assert min(i["startTime"] for i in data["instances"]) >= "2025-03-02T12:00:00Z"
    per_instance = Counter(row[0] for row in data["attendees"])
    assert all(
        per_instance[i["meetingInstanceKey"]] == i["numAttendees"] for i in data["instances"]
    )
    keys = {u.key for u in DEMO_USERS}
    assert keys <= {o["organizerKey"] for o in organizers}


def test_demo_size_matches_its_description():
    data = generate(1, "demo", ANCHOR)
    ordinary = [o for o in data["organizers"] if o["groupKey"] != group_spec(BIG_GROUP).key]
    assert len(ordinary) - len(DEMO_USERS) == SIZES["demo"].ordinary_organizers
    assert 1800 <= len(data["instances"]) <= 2200


def test_large_size_is_big_enough_and_fast():
    started = time.monotonic()
    data = generate(1, "large", ANCHOR)
    assert time.monotonic() - started < LARGE_GENERATION_BUDGET_SECONDS
    assert len(data["instances"]) >= 10_000
    assert len(data["attendees"]) >= 100_000
