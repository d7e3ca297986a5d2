"""One vocabulary of API errors (``portal.api_outcomes.describe``): every error the client can
raise maps to one sentence, organizers and meetings show the identical sentence for the same
error, a refused sign-in is never an "action failed" message but a sign-out, no sentence names
a host or a port, and the sync's run errors use the same words.

GoTo's answers come through ``responses`` (exact statuses, bodies and lost answers) to a real
client that does not retry, so each answer is one typed error.
"""

from __future__ import annotations

import inspect

import pytest
import requests
import responses

from accounts.connections import oauth_config
from accounts.models import AuditEntry
from accounts.tokens import TokenRevoked
from gotomeeting import GoToMeetingClient, errors
from meetings import services as meeting_services
from organizers import services as organizer_services
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE, ActionFailed, describe
from sync.services.runs import _describe as sync_run_error
from tests.factories import MeetingFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

HOST = "api.example.test"
BASE = f"https://{HOST}/G2M/rest"
WHAT = "<what>"

# How GoTo (or the way to it) answers, and the client error each answer becomes.
ANSWERS = {
    "400": ({"json": {"int_err_code": "InvalidRequest", "msg": "bad date"}, "status": 400},),
    "401": ({"json": {"int_err_code": "InvalidToken", "msg": "expired"}, "status": 401},),
    "403": ({"json": {"int_err_code": "AccessDenied", "msg": "no"}, "status": 403},),
    "404": ({"json": {"int_err_code": "NotFound", "msg": "no such thing"}, "status": 404},),
    "409": ({"json": {"int_err_code": "Conflict", "msg": "exists"}, "status": 409},),
    "429": (
        {
            "json": {"int_err_code": "TooMany", "msg": "slow"},
            "status": 429,
            "headers": {"Retry-After": "7"},
        },
    ),
    "500": ({"json": {"int_err_code": "Oops", "msg": "boom"}, "status": 500},),
    "418": ({"json": {"int_err_code": "Teapot", "msg": "odd"}, "status": 418},),
    "not json": ({"body": "<html>proxy page</html>", "status": 200},),
    "never sent": ({"body": requests.exceptions.ConnectTimeout(f"{HOST}:443 timed out")},),
    "answer lost": ({"body": requests.exceptions.ReadTimeout(f"{HOST}:443 read timed out")},),
}
EXPECTED = {
    "400": errors.InvalidRequest,
    "401": errors.Unauthorized,
    "403": errors.Forbidden,
    "404": errors.NotFound,
    "409": errors.Conflict,
    "429": errors.RateLimited,
    "500": errors.ServerError,
    "418": errors.ApiError,
    "not json": errors.UnexpectedResponse,
    "never sent": errors.TransportError,
    "answer lost": errors.OutcomeUnknown,
}


def _client() -> GoToMeetingClient:
    return GoToMeetingClient(
        api_base_url=BASE,
        oauth=oauth_config(),
        token={"access_token": "t", "token_type": "Bearer", "expires_at": 4e9},
        max_retries=0,
        sleep=lambda seconds: None,
    )


def _answer(mock: responses.RequestsMock, url: str, kind: str) -> None:
    (options,) = ANSWERS[kind]
    mock.add(responses.PUT, url, **options)


def test_every_error_type_of_the_client_is_covered():
    raised = {
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.ApiError)
    }
    assert set(EXPECTED.values()) == raised


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_organizers_and_meetings_show_the_identical_sentence_for_the_same_error(
    kind, admin_user, settings
):
    settings.GOTO_API_BASE_URL = BASE
    organizer = OrganizerFactory(first_name="Ada", last_name="Lovelace")
    meeting = MeetingFactory(subject="Kept")
    fields = meeting_services.MeetingFields(
        subject="Changed",
        start_time=meeting.start_time,
        end_time=meeting.end_time,
        meeting_type="scheduled",
        password_required=False,
        conference_call_info="VoIP",
    )
    shown = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        _answer(mock, f"{BASE}/organizers/{organizer.organizer_key}", kind)
        _answer(mock, f"{BASE}/meetings/{meeting.meeting_id}", kind)
        expected_error = TokenRevoked if EXPECTED[kind] is errors.Unauthorized else ActionFailed
        with pytest.raises(expected_error) as by_organizers:
            organizer_services.organizer_suspend(
                client=_client(), organizer=organizer, acting_user=admin_user
            )
        with pytest.raises(expected_error) as by_meetings:
            meeting_services.meeting_update(
                client=_client(), acting_user=admin_user, meeting=meeting, fields=fields
            )
    shown["organizers"] = str(by_organizers.value).replace(
        f"suspend {organizer.full_name} ({organizer.email})", WHAT
    )
    shown["meetings"] = str(by_meetings.value).replace("update the meeting", WHAT)
    assert shown["organizers"] == shown["meetings"]
    cause = by_organizers.value.__cause__
    assert type(cause) is EXPECTED[kind]
    assert type(by_meetings.value.__cause__) is EXPECTED[kind]
    assert shown["organizers"] == describe(cause, what=WHAT).message
    assert HOST not in shown["organizers"] and ":443" not in shown["organizers"]
    # Both failures are audited, with the client's own error for operators; nothing changed.
    failures = AuditEntry.objects.filter(outcome="failure")
    assert sorted(failures.values_list("action", flat=True)) == [
        "meeting.update",
        "organizer.suspend",
    ]
    organizer.refresh_from_db()
    meeting.refresh_from_db()
    assert (organizer.status, meeting.subject) == ("active", "Kept")


def test_each_kind_of_error_has_its_own_sentence():
    samples = [
        errors.InvalidRequest(400, "InvalidRequest", "bad date"),
        errors.Unauthorized(401, "InvalidToken", "expired"),
        errors.Forbidden(403, "AccessDenied", "no"),
        errors.NotFound(404, "NotFound", "gone"),
        errors.Conflict(409, "Conflict", "exists"),
        errors.RateLimited(429, None, "slow", retry_after=7),
        errors.ServerError(500, None, "boom"),
        errors.ApiError(418, None, "odd"),
        errors.UnexpectedResponse(200, "UnexpectedResponse", "not JSON"),
        errors.TransportError(None, "ReadTimeout", "no answer"),
        errors.OutcomeUnknown(None, "ReadTimeout", "lost"),
    ]
    reasons = [describe(error).reason for error in samples]
    assert len(set(reasons)) == len(samples)
    assert describe(TokenRevoked("no token stored")).message == SIGN_IN_ENDED_MESSAGE
    assert describe(errors.Unauthorized(401, None, "x")).ends_sign_in
    rate = describe(errors.RateLimited(429, None, "slow", retry_after=7), what="suspend Ada")
    assert rate.message == (
        "Could not suspend Ada: GoTo is limiting how fast the portal may call it (429). "
        "Nothing was changed; try again in 7 s."
    )
    assert rate.retryable and rate.stops_batch and not rate.ends_sign_in


def test_a_sync_run_error_uses_the_same_words_and_hides_addresses():
    server = sync_run_error(errors.ServerError(503, None, "upstream down"))
    assert server.startswith(describe(errors.ServerError(503, None, "")).reason)
    assert "503" in server
    redis = sync_run_error(ConnectionError("Error 111 connecting to 10.0.0.5:6379. Refused."))
    assert "10.0.0.5" not in redis and "6379" not in redis
    assert "Refused" in redis
    refused = sync_run_error(errors.Unauthorized(None, "NoRefreshToken", "cannot be renewed"))
    assert refused.startswith("GoTo no longer accepts the service connection's sign-in")
