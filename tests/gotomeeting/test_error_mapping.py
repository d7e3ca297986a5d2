"""Each error answer becomes the right typed error, whatever its body looks like."""

from __future__ import annotations

import pickle

import pytest
import requests

from gotomeeting import (
    ApiError,
    Conflict,
    Forbidden,
    InvalidRequest,
    NotFound,
    OrganizerRequest,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
)
from gotomeeting.errors import error_from_response

from .answers import api_error
from .conftest import API

PROXY_PAGE = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title>
<style>body { font-family: sans-serif; }</style></head>
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"""


def test_400_is_invalid_request_with_the_api_code_and_message(api, client):
    api.get(f"{API}/groups", status=400, json=api_error("InvalidRequest", "bad date"))
    with pytest.raises(InvalidRequest) as caught:
        client.get_groups()
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        400,
        "InvalidRequest",
        "bad date",
    )


def test_403_access_denied_is_forbidden_and_no_refresh_is_tried(api, client):
    api.get(f"{API}/groups", status=403, json=api_error("AccessDenied", "admins only"))
    with pytest.raises(Forbidden) as caught:
        client.get_groups()
    assert caught.value.code == "AccessDenied"
    assert len(api.calls) == 1


def test_403_invalid_token_is_unauthorized_when_there_is_no_refresh_token(api, make_client):
    token = {"access_token": "old", "token_type": "Bearer"}
    client = make_client(token=token)
    api.get(f"{API}/groups", status=403, json=api_error("InvalidToken", "Invalid token passed"))
    with pytest.raises(Unauthorized):
        client.get_groups()


def test_404_is_not_found(api, client):
    api.get(f"{API}/meetings/9", status=404, json=api_error("NotFound", "no such meeting"))
    with pytest.raises(NotFound) as caught:
        client.get_meeting(9)
    assert caught.value.message == "no such meeting"


def test_409_is_conflict(api, client):
    api.post(f"{API}/organizers", status=409, json=api_error("Conflict", "email exists"))
    with pytest.raises(Conflict):
        client.create_organizer(OrganizerRequest("ann@acme.example", "Ann", "Lee"))


def test_429_without_retry_after_is_rate_limited_with_none_once_retries_run_out(api, make_client):
    client = make_client(max_retries=1)
    api.get(f"{API}/groups", status=429, json=api_error("TooManyRequests", "slow down"))
    with pytest.raises(RateLimited) as caught:
        client.get_groups()
    assert caught.value.retry_after is None
    assert len(api.calls) == 2


def test_429_with_retry_after_carries_the_wait_the_server_asked_for(api, make_client):
    client = make_client(max_retries=0)
    api.get(f"{API}/groups", status=429, headers={"Retry-After": "12"}, body="")
    with pytest.raises(RateLimited) as caught:
        client.get_groups()
    assert caught.value.retry_after == 12.0
    assert caught.value.message


def test_5xx_with_an_html_page_from_a_proxy_is_server_error_with_a_short_text_excerpt(
    api, make_client
):
    client = make_client(max_retries=0)
    api.get(f"{API}/groups", status=502, body=PROXY_PAGE, content_type="text/html")
    with pytest.raises(ServerError) as caught:
        client.get_groups()
    assert caught.value.code is None
    assert "Bad Gateway" in caught.value.message
    assert "<" not in caught.value.message
    assert "font-family" not in caught.value.message


def test_500_is_server_error_and_not_retried(api, client):
    api.get(f"{API}/groups", status=500, json=api_error("InternalError", "boom"))
    with pytest.raises(ServerError):
        client.get_groups()
    assert len(api.calls) == 1


def test_malformed_json_error_body_falls_back_to_the_text(api, client):
    api.get(
        f"{API}/meetings/9",
        status=404,
        body='{"int_err_code": "NotFo',
        content_type="application/json",
    )
    with pytest.raises(NotFound) as caught:
        client.get_meeting(9)
    assert caught.value.code is None
    assert caught.value.message == '{"int_err_code": "NotFo'


def test_a_long_body_is_cut_to_a_short_excerpt():
    error = error_from_response(503, "x" * 5000)
    assert isinstance(error, ServerError)
    assert len(error.message) <= 200


def test_an_empty_error_body_still_gives_a_message():
    error = error_from_response(504, "")
    assert error.message == "HTTP 504 with no readable body"


def test_a_success_answer_that_is_not_json_is_unexpected_response(api, client):
    api.get(f"{API}/groups", status=200, body="<html>Sign in to the proxy</html>")
    with pytest.raises(UnexpectedResponse) as caught:
        client.get_groups()
    assert "Sign in to the proxy" in caught.value.message


def test_a_success_answer_with_a_bad_field_is_unexpected_response(api, client):
    api.get(f"{API}/groups", json=[{"groupName": "no key"}])
    with pytest.raises(UnexpectedResponse, match="groupkey"):
        client.get_groups()


def test_a_timeout_after_retries_is_transport_error(api, make_client, waits):
    client = make_client(max_retries=2)
    for _ in range(3):
        api.get(f"{API}/groups", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as caught:
        client.get_groups()
    assert caught.value.status is None
    assert caught.value.code == "ReadTimeout"
    assert "timed out" in str(caught.value)
    assert len(waits) == 2


def test_an_unknown_status_is_a_plain_api_error():
    error = error_from_response(418, '{"msg": "teapot"}')
    assert type(error) is ApiError
    assert str(error) == "HTTP 418: teapot"


@pytest.mark.parametrize(
    "error",
    [
        NotFound(404, "NotFound", "gone"),
        RateLimited(429, None, "slow", retry_after=3.0),
        TransportError(None, "ConnectTimeout", "no answer"),
        OutcomeUnknown(502, "OutcomeUnknown", "may or may not have been done"),
    ],
)
def test_errors_survive_pickling_for_celery(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.status, copy.code, copy.message) == (error.status, error.code, error.message)
    assert getattr(copy, "retry_after", None) == getattr(error, "retry_after", None)


def test_every_typed_error_is_an_api_error():
    for kind in (
        InvalidRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        RateLimited,
        ServerError,
        TransportError,
        OutcomeUnknown,
        UnexpectedResponse,
    ):
        assert issubclass(kind, ApiError)
