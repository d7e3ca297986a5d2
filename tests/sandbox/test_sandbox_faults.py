"""Switchable faults and the control API: rate limit, 5xx, scripted failures, expired
tokens, latency, request counts, held meetings."""

from __future__ import annotations

import time

import pytest

from sandbox.demo_account import DEMO_USERS
from sandbox.testing import history_window, running_sandbox

ADMIN, MANAGER, ORGANIZER = DEMO_USERS


@pytest.fixture(scope="module")
def limited_sandbox():
    """A sandbox with the rate limit on (as by default on the command line)."""
    with running_sandbox(size="small", rate_limit=True) as handle:
        yield handle


def test_more_than_10_requests_per_second_per_token_get_429(limited_sandbox):
    token = limited_sandbox.token_for(MANAGER.email)["access_token"]
    other = limited_sandbox.token_for(ORGANIZER.email)["access_token"]
    time.sleep(1.05)  # a fresh window
    statuses = [
        limited_sandbox.api("GET", "/upcomingMeetings", token=token).status for _ in range(10)
    ]
    assert statuses == [200] * 10
    refused = limited_sandbox.api("GET", "/upcomingMeetings", token=token)
    assert refused.status == 429
    retry_after = refused.headers["Retry-After"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    assert refused.json()["int_err_code"] == "TooManyRequests"
    assert limited_sandbox.api("GET", "/upcomingMeetings", token=other).status == 200
    time.sleep(int(retry_after) + 0.05)
    assert limited_sandbox.api("GET", "/upcomingMeetings", token=token).status == 200


def test_the_rate_limit_can_be_switched_off_and_tuned(limited_sandbox):
    token = limited_sandbox.token_for(MANAGER.email)["access_token"]
    limited_sandbox.faults(rate_limit=False)
    try:
        statuses = {
            limited_sandbox.api("GET", "/upcomingMeetings", token=token).status for _ in range(25)
        }
        assert statuses == {200}
        limited_sandbox.faults(rate_limit=True, rate_limit_per_second=2)
        statuses_list = [
            limited_sandbox.api("GET", "/upcomingMeetings", token=token).status for _ in range(3)
        ]
        assert statuses_list == [200, 200, 429]
    finally:
        limited_sandbox.faults(rate_limit=True, rate_limit_per_second=10)


def test_error_rate_answers_502_html_503_json_504_in_turn(fresh_sandbox):
    token = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    assert fresh_sandbox.faults(error_rate=1.0)["error_rate"] == 1.0
    answers = [fresh_sandbox.api("GET", "/upcomingMeetings", token=token) for _ in range(3)]
    assert [a.status for a in answers] == [502, 503, 504]
    assert answers[0].headers["Content-Type"].startswith("text/html")
    assert "<html>" in answers[0].text
    assert answers[1].json()["int_err_code"] == "ServiceUnavailable"
    assert answers[2].headers["Content-Type"].startswith("text/html")
    fresh_sandbox.faults(error_rate=0)
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=token).status == 200


def test_a_share_of_answers_fail_at_an_error_rate_below_one(fresh_sandbox):
    token = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    fresh_sandbox.faults(error_rate=0.5)
    statuses = [
        fresh_sandbox.api("GET", "/upcomingMeetings", token=token).status for _ in range(60)
    ]
    failures = sum(status >= 500 for status in statuses)
    assert 10 <= failures <= 50
    assert set(statuses) <= {200, 502, 503, 504}


def test_fail_next_answers_the_listed_statuses_then_recovers(fresh_sandbox):
    token = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    fresh_sandbox.faults(fail_next=[503, 429, 500, 403])
    answers = [fresh_sandbox.api("GET", "/upcomingMeetings", token=token) for _ in range(5)]
    assert [a.status for a in answers] == [503, 429, 500, 403, 200]
    assert answers[1].headers["Retry-After"] == "1"
    assert answers[3].json()["int_err_code"] == "InvalidToken"
    assert fresh_sandbox.faults()["fail_next"] == []


def test_expire_tokens_expires_existing_tokens_but_not_new_ones(fresh_sandbox):
    old = fresh_sandbox.token_for(MANAGER.email)
    fresh_sandbox.faults(expire_tokens=True)
    expired = fresh_sandbox.api("GET", "/upcomingMeetings", token=old["access_token"])
    assert expired.status == 403
    assert expired.json()["int_err_code"] == "InvalidToken"
    new = fresh_sandbox.token_for(MANAGER.email)
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=new["access_token"]).status == 200
    refreshed = fresh_sandbox.request(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "refresh_token",
            "refresh_token": old["refresh_token"],
            "client_id": "portal-demo",
            "client_secret": "portal-demo-secret",
        },
    )
    assert refreshed.status == 200, "refresh tokens keep working: that is the way out"
    assert (
        fresh_sandbox.api("GET", "/upcomingMeetings", token=refreshed.json()["access_token"]).status
        == 200
    )
    fresh_sandbox.faults(expire_tokens=False)
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=old["access_token"]).status == 200


def test_tokens_expire_after_their_lifetime(fresh_sandbox):
    token = fresh_sandbox.token_for(MANAGER.email, expires_in=1)
    assert token["expires_in"] == 1
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=token["access_token"]).status == 200
    time.sleep(1.1)
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=token["access_token"]).status == 403


def test_latency_delays_api_answers(fresh_sandbox):
    token = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    fresh_sandbox.faults(latency_ms=300)
    started = time.monotonic()
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=token).status == 200
    assert time.monotonic() - started >= 0.3


def test_a_request_begun_before_a_stats_reset_is_not_counted_after_it(fresh_sandbox):
    import threading

    token = fresh_sandbox.token_for(MANAGER.email)["access_token"]
    fresh_sandbox.faults(latency_ms=400)
    slow = threading.Thread(
        target=fresh_sandbox.api, args=("GET", "/upcomingMeetings"), kwargs={"token": token}
    )
    slow.start()
    time.sleep(0.1)
    fresh_sandbox.reset_stats()
    slow.join()
    assert fresh_sandbox.stats()["api_total"] == 0
    assert fresh_sandbox.api("GET", "/upcomingMeetings", token=token).status == 200
    assert fresh_sandbox.stats()["api_total"] == 1


def test_fault_settings_are_validated(shared_sandbox):
    for bad in (
        {"error_rate": 2},
        {"fail_next": [200]},
        {"latency_ms": -1},
        {"nope": 1},
        {"rate_limit": "yes"},
    ):
        result = shared_sandbox.request("POST", "/_sandbox/faults", json_body=bad)
        assert result.status == 400, bad


def test_stats_count_requests_per_route_pattern(shared_sandbox, tokens):
    shared_sandbox.reset_stats()
    shared_sandbox.api("GET", "/groups", token=tokens["admin"])
    shared_sandbox.api("GET", "/groups", token=tokens["admin"])
    shared_sandbox.api(
        "GET",
        f"/organizers/{MANAGER.key}/historicalMeetings",
        token=tokens["admin"],
        params=history_window(10),
    )
    shared_sandbox.api("GET", "/nothing-here", token=tokens["admin"])
    stats = shared_sandbox.stats()
    assert stats["routes"] == {
        "GET /G2M/rest/groups": 2,
        "GET /G2M/rest/organizers/{organizerKey}/historicalMeetings": 1,
        "GET /G2M/rest/<unknown>": 1,
    }
    assert stats["api_total"] == stats["total"] == 4
    assert stats["statuses"] == {"200": 3, "404": 1}
    shared_sandbox.reset_stats()
    assert shared_sandbox.stats()["total"] == 0


def test_holding_a_meeting_adds_a_new_instance_to_history(fresh_sandbox):
    token = fresh_sandbox.token_for(ORGANIZER.email)["access_token"]
    created = fresh_sandbox.api(
        "POST",
        "/meetings",
        token=token,
        json_body={
            "subject": "Held now",
            "starttime": "2031-01-01T10:00:00Z",
            "endtime": "2031-01-01T10:45:00Z",
            "passwordrequired": False,
            "conferencecallinfo": "VoIP",
            "timezonekey": "",
            "meetingtype": "scheduled",
        },
    ).json()[0]
    instance = fresh_sandbox.hold_meeting(created["meetingid"], 7)
    assert instance["meetingId"] == created["meetingid"]
    assert instance["numAttendees"] == 7
    assert instance["duration"] == 45
    history = fresh_sandbox.api(
        "GET", "/historicalMeetings", token=token, params=history_window(1)
    ).json()
    [held] = [h for h in history if h["meetingInstanceKey"] == instance["meetingInstanceKey"]]
    assert held["subject"] == "Held now" and held["numAttendees"] == "7"
    rows = fresh_sandbox.api(
        "GET", f"/meetings/{instance['meetingInstanceKey']}/attendees", token=token
    ).json()
    assert len(rows) == 7
    upcoming = fresh_sandbox.api("GET", "/upcomingMeetings", token=token).json()
    assert str(created["meetingid"]) not in [u["meetingId"] for u in upcoming]


def test_a_started_meeting_is_active_until_held_and_an_instant_one_is_listed(fresh_sandbox):
    token = fresh_sandbox.token_for(ORGANIZER.email)["access_token"]
    upcoming = fresh_sandbox.api("GET", "/upcomingMeetings", token=token).json()
    waiting = next(u for u in upcoming if u["status"] == "INACTIVE")

    fresh_sandbox.start_meeting(int(waiting["meetingId"]))

    [got] = fresh_sandbox.api("GET", f"/meetings/{waiting['meetingId']}", token=token).json()
    assert got["status"] == "ACTIVE"
    fresh_sandbox.hold_meeting(int(waiting["meetingId"]), 2)  # it ends
    [got] = fresh_sandbox.api("GET", f"/meetings/{waiting['meetingId']}", token=token).json()
    assert got["status"] == "INACTIVE"

    instant = fresh_sandbox.start_instant_meeting(ORGANIZER.key, minutes=20)

    listed = fresh_sandbox.api("GET", "/upcomingMeetings", token=token).json()
    [mine] = [u for u in listed if str(u["meetingId"]) == str(instant["meetingId"])]
    assert mine["status"] == "ACTIVE" and mine["meetingType"].lower() == "immediate"


def test_control_api_reports_problems(shared_sandbox):
    assert (
        shared_sandbox.request(
            "POST", "/_sandbox/meetings/1/hold", json_body={"attendees": 1}
        ).status
        == 404
    )
    assert (
        shared_sandbox.request(
            "POST", "/_sandbox/organizers/confirm", json_body={"email": "nobody@acme.example"}
        ).status
        == 404
    )
    assert shared_sandbox.request("POST", "/_sandbox/meetings/1/start", json_body={}).status == 404
    assert (
        shared_sandbox.request(
            "POST", f"/_sandbox/organizers/{ORGANIZER.key}/instant", json_body={"minutes": 0}
        ).status
        == 400
    )
    assert (
        shared_sandbox.request(
            "POST", "/_sandbox/tokens", json_body={"email": "nobody@acme.example"}
        ).status
        == 400
    )


def test_reset_regenerates_the_seeded_data(fresh_sandbox):
    admin = fresh_sandbox.token_for(ADMIN.email)["access_token"]
    before = fresh_sandbox.state()
    assert fresh_sandbox.api("DELETE", f"/organizers/{MANAGER.key}", token=admin).status == 204
    fresh_sandbox.reset()
    after = fresh_sandbox.state()

    def people(state: dict) -> list:
        return [(o["email"], o["organizerKey"], o["status"]) for o in state["organizers"]]

    assert people(after) == people(before)
    assert fresh_sandbox.api("GET", f"/organizers/{MANAGER.key}", token=admin).status == 200
