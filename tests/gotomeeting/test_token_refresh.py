"""The client renews the token ahead of expiry and after a 403 InvalidToken, safely."""

from __future__ import annotations

import base64
import threading
import time
from contextlib import contextmanager
from urllib.parse import parse_qs

import pytest

from gotomeeting import ServerError, Unauthorized

from .answers import CREATED, GROUPS, INVALID_TOKEN, meeting_request
from .conftest import API, TOKEN_URL, fresh_token

BASIC = "Basic " + base64.b64encode(b"portal-demo:portal-demo-secret").decode()


def expiring_token():
    token = fresh_token(access_token="old-access", refresh_token="old-refresh")
    token["expires_at"] = time.time() + 30  # inside the 60 s margin
    return token


def token_answer(access="new-access", refresh="new-refresh", expires_in=3600):
    answer = {"access_token": access, "token_type": "Bearer", "expires_in": expires_in}
    if refresh:
        answer["refresh_token"] = refresh
    return answer


def form_of(call):
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def test_a_token_about_to_expire_is_refreshed_first_with_basic_auth(api, make_client):
    saved = []
    client = make_client(token=expiring_token(), token_updater=saved.append)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)

    client.get_groups()

    refresh_call, api_call = api.calls
    assert refresh_call.request.headers["Authorization"] == BASIC
    assert form_of(refresh_call) == {"grant_type": "refresh_token", "refresh_token": "old-refresh"}
    assert api_call.request.headers["Authorization"] == "Bearer new-access"
    assert saved[0]["access_token"] == "new-access"
    assert saved[0]["expires_at"] == pytest.approx(time.time() + 3600, abs=5)
    assert client.calls_made == 1  # the refresh is not an API call


def test_a_token_far_from_expiry_is_not_refreshed(api, client):
    api.get(f"{API}/groups", json=GROUPS)
    client.get_groups()
    assert len(api.calls) == 1


def test_the_old_refresh_token_is_kept_when_the_answer_has_none(api, make_client):
    saved = []
    client = make_client(token=expiring_token(), token_updater=saved.append)
    api.post(TOKEN_URL, json=token_answer(refresh=None))
    api.get(f"{API}/groups", json=GROUPS)
    client.get_groups()
    assert saved[0]["refresh_token"] == "old-refresh"
    assert client.token["refresh_token"] == "old-refresh"


def test_a_403_invalid_token_refreshes_and_retries_the_call_once(api, make_client):
    saved = []
    token = fresh_token(access_token="revoked", refresh_token="old-refresh")
    client = make_client(token=token, token_updater=saved.append)
    api.get(f"{API}/groups", status=403, json=INVALID_TOKEN)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)

    assert len(client.get_groups()) == 1

    first, refresh, retry = api.calls
    assert first.request.headers["Authorization"] == "Bearer revoked"
    assert refresh.request.headers["Authorization"] == BASIC
    assert retry.request.headers["Authorization"] == "Bearer new-access"
    assert [token["access_token"] for token in saved] == ["new-access"]


def test_a_second_invalid_token_after_the_refresh_is_unauthorized(api, client):
    api.get(f"{API}/groups", status=403, json=INVALID_TOKEN)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", status=403, json=INVALID_TOKEN)
    with pytest.raises(Unauthorized) as caught:
        client.get_groups()
    assert caught.value.code == "InvalidToken"
    assert len(api.calls) == 3


def test_a_create_refused_for_its_token_is_sent_again_after_the_refresh(api, client):
    api.post(f"{API}/meetings", status=403, json=INVALID_TOKEN)
    api.post(TOKEN_URL, json=token_answer())
    api.post(f"{API}/meetings", status=201, json=CREATED)
    assert client.create_meeting(meeting_request()).meeting_id == 1


def test_a_refused_refresh_is_unauthorized_with_the_oauth_error(api, make_client):
    saved = []
    client = make_client(token=expiring_token(), token_updater=saved.append)
    api.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "refresh token expired"},
    )
    with pytest.raises(Unauthorized) as caught:
        client.get_groups()
    assert caught.value.code == "invalid_grant"
    assert saved == []


def test_a_token_endpoint_outage_is_a_server_error_not_a_logout(api, make_client):
    client = make_client(token=expiring_token())
    api.post(TOKEN_URL, status=503, body="<html>down</html>")
    with pytest.raises(ServerError):
        client.get_groups()


def test_the_refresh_runs_inside_the_given_lock(api, make_client):
    events = []

    @contextmanager
    def account_lock():
        events.append("locked")
        yield
        events.append("unlocked")

    def updater(token):
        events.append("saved " + token["access_token"])

    client = make_client(token=expiring_token(), refresh_lock=account_lock, token_updater=updater)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)
    client.get_groups()
    assert events == ["locked", "saved new-access", "unlocked"]


def test_a_token_another_worker_already_refreshed_is_used_without_refreshing(api, make_client):
    saved = []
    stored = fresh_token(access_token="refreshed-elsewhere", refresh_token="rotated")
    client = make_client(
        token=expiring_token(), token_loader=lambda: stored, token_updater=saved.append
    )
    api.get(f"{API}/groups", json=GROUPS)

    client.get_groups()

    (api_call,) = api.calls
    assert api_call.request.headers["Authorization"] == "Bearer refreshed-elsewhere"
    assert saved == []
    assert client.token["refresh_token"] == "rotated"


def test_the_stored_refresh_token_is_used_when_the_stored_access_token_is_stale_too(
    api, make_client
):
    stored = expiring_token()
    stored["refresh_token"] = "rotated-elsewhere"
    loads = []

    def loader():
        loads.append(1)
        return stored

    client = make_client(token=expiring_token(), token_loader=loader)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)
    client.get_groups()
    assert loads == [1]
    assert form_of(api.calls[0])["refresh_token"] == "rotated-elsewhere"


def test_two_threads_sharing_a_client_refresh_only_once(api, make_client):
    client = make_client(token=expiring_token())
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)
    api.get(f"{API}/groups", json=GROUPS)
    threads = [threading.Thread(target=client.get_groups) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [call.request.url for call in api.calls].count(TOKEN_URL) == 1


def test_a_plain_401_is_treated_like_invalid_token(api, client):
    api.get(f"{API}/groups", status=401, body="Unauthorized")
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)
    assert len(client.get_groups()) == 1


def test_the_oauth2_sessions_own_auto_refresh_also_goes_through_the_locked_basic_refresh(
    api, make_client
):
    """requests-oauthlib refreshes by itself when its clock says expired: same path as ours."""
    events = []

    @contextmanager
    def account_lock():
        events.append("locked")
        yield

    expired = expiring_token()
    expired["expires_at"] = time.time() - 10
    client = make_client(token=expired, refresh_lock=account_lock, token_updater=events.append)
    api.post(TOKEN_URL, json=token_answer())
    api.get(f"{API}/groups", json=GROUPS)

    client._transport._session.get(f"{API}/groups")  # bypasses the transport's own check

    refresh_call, api_call = api.calls
    assert refresh_call.request.headers["Authorization"] == BASIC
    assert "client_secret" not in refresh_call.request.body
    assert api_call.request.headers["Authorization"] == "Bearer new-access"
    assert events[0] == "locked"
    assert events[1]["access_token"] == "new-access"
