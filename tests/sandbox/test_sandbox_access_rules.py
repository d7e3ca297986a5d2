"""Who may call what: tokens, admin-only operations, error bodies for unknown things."""

from __future__ import annotations

import pytest

from sandbox.demo_account import BIG_GROUP, DEMO_USERS, group_spec
from sandbox.testing import history_window

ADMIN, MANAGER, ORGANIZER = DEMO_USERS
ENGINEERING = group_spec("Engineering").key
BIG = group_spec(BIG_GROUP).key
NEW_ORGANIZER = {
    "organizerEmail": "x.y@acme.example",
    "firstName": "X",
    "lastName": "Y",
    "productType": "G2M",
}

ADMIN_ONLY = [
    ("GET", "/groups", None),
    ("GET", f"/groups/{ENGINEERING}/organizers", None),
    ("POST", f"/groups/{ENGINEERING}/organizers", NEW_ORGANIZER),
    ("GET", f"/groups/{ENGINEERING}/historicalMeetings", None),
    ("GET", f"/groups/{ENGINEERING}/upcomingMeetings", None),
    ("GET", f"/groups/{ENGINEERING}/meetings?scheduled=true", None),
    ("GET", f"/groups/{ENGINEERING}/attendees", None),
    ("GET", "/organizers", None),
    ("GET", f"/organizers?email={MANAGER.email}", None),
    ("POST", "/organizers", NEW_ORGANIZER),
    ("DELETE", f"/organizers?email={MANAGER.email}", None),
    ("GET", f"/organizers/{MANAGER.key}", None),
    ("PUT", f"/organizers/{MANAGER.key}", {"status": "suspended"}),
    ("PUT", f"/organizers/{ORGANIZER.key}", {"status": "suspended"}),  # even one's own
    ("DELETE", f"/organizers/{MANAGER.key}", None),
    ("GET", f"/organizers/{MANAGER.key}/historicalMeetings", None),
    ("GET", f"/organizers/{MANAGER.key}/upcomingMeetings", None),
    ("GET", f"/organizers/{MANAGER.key}/meetings?scheduled=true", None),
    ("GET", f"/organizers/{MANAGER.key}/attendees", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY)
def test_admin_only_operations_refuse_a_plain_organizer(shared_sandbox, tokens, method, path, body):
    result = shared_sandbox.api(
        method, path, token=tokens["organizer"], json_body=body, params=history_window(30)
    )
    assert result.status == 403
    assert result.json() == {"int_err_code": "AccessDenied", "msg": result.json()["msg"]}


def test_others_meetings_are_admin_only(shared_sandbox, tokens):
    meeting = next(
        m for m in shared_sandbox.state()["meetings"] if m["organizerKey"] == MANAGER.key
    )
    for method, suffix in (("GET", ""), ("GET", "/start"), ("DELETE", "")):
        result = shared_sandbox.api(
            method, f"/meetings/{meeting['meetingId']}{suffix}", token=tokens["organizer"]
        )
        assert result.status == 403, suffix
        assert result.json()["int_err_code"] == "AccessDenied"


OWN_OPERATIONS = [
    "/upcomingMeetings",
    "/historicalMeetings",
    "/meetings?scheduled=true",
    "/meetings?history=true",
    f"/organizers/{ORGANIZER.key}",
    f"/organizers/{ORGANIZER.key}/upcomingMeetings",
    f"/organizers/{ORGANIZER.key}/historicalMeetings",
    f"/organizers/{ORGANIZER.key}/meetings?scheduled=true",
    f"/organizers/{ORGANIZER.key}/attendees",
]


@pytest.mark.parametrize("path", OWN_OPERATIONS)
def test_a_plain_organizer_reads_their_own_data(shared_sandbox, tokens, path):
    result = shared_sandbox.api("GET", path, token=tokens["organizer"], params=history_window(30))
    assert result.status == 200, result.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic cG9ydGFsLWRlbW86eA==", "OAuth oauth_token="],
)
def test_missing_or_invalid_tokens_get_403_invalid_token(shared_sandbox, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    result = shared_sandbox.request("GET", "/G2M/rest/upcomingMeetings", headers=headers)
    assert result.status == 403
    assert result.json() == {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}


def test_the_older_oauth_authorization_header_is_accepted(shared_sandbox, tokens):
    for value in (
        f"OAuth oauth_token={tokens['manager']}",
        f'OAuth oauth_token="{tokens["manager"]}"',
    ):
        result = shared_sandbox.request(
            "GET", "/G2M/rest/upcomingMeetings", headers={"Authorization": value}
        )
        assert result.status == 200


def test_an_expired_token_gets_403_invalid_token(shared_sandbox):
    token = shared_sandbox.token_for(MANAGER.email, expires_in=0)["access_token"]
    result = shared_sandbox.api("GET", "/upcomingMeetings", token=token)
    assert result.status == 403
    assert result.json()["int_err_code"] == "InvalidToken"


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/123456789",
        "/organizers/1234567890",
        "/groups/1234567890/organizers",
        "/meetings/123456789/attendees",
        "/organizers?email=nobody@acme.example",
    ],
)
def test_unknown_keys_answer_404_not_found(shared_sandbox, tokens, path):
    result = shared_sandbox.api("GET", path, token=tokens["admin"])
    assert result.status == 404
    body = result.json()
    assert set(body) == {"int_err_code", "msg"}
    assert body["int_err_code"] == "NotFound"


def test_non_numeric_keys_are_bad_requests(shared_sandbox, tokens):
    result = shared_sandbox.api("GET", "/meetings/abc", token=tokens["admin"])
    assert result.status == 400
    assert result.json()["int_err_code"] == "InvalidRequest"


def test_unknown_paths_and_methods(shared_sandbox, tokens):
    unknown = shared_sandbox.api("GET", "/webinars", token=tokens["admin"])
    assert unknown.status == 404
    assert unknown.json()["int_err_code"] == "NotFound"
    wrong_method = shared_sandbox.api("PATCH", "/groups", token=tokens["admin"])
    assert wrong_method.status == 405
    assert wrong_method.headers["Allow"] == "GET"


def test_the_control_api_needs_no_token(shared_sandbox):
    assert shared_sandbox.request("GET", "/_sandbox/faults").status == 200
