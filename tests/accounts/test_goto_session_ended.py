"""A revoked or unrefreshable GoTo token, met by any view, signs the user out with a clear
message and sends them to the login page: never a 500."""

from __future__ import annotations

import time

import pytest
import responses
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.tokens import store_token
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE

pytestmark = pytest.mark.django_db

AUTH = "https://auth.goto.test"
API = "https://api.goto.test/G2M/rest"
PAGE = "/test-only/goto-groups/"


@pytest.fixture
def probe_urls(settings):
    settings.ROOT_URLCONF = "tests.accounts.goto_probe_urls"
    settings.GOTO_AUTHORIZE_URL = f"{AUTH}/oauth/authorize"
    settings.GOTO_TOKEN_URL = f"{AUTH}/oauth/token"
    settings.GOTO_API_BASE_URL = API
    return settings


def _assert_signed_out_with_message(client, response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not response.wsgi_request.user.is_authenticated
    assert SIGN_IN_ENDED_MESSAGE in [str(m) for m in get_messages(response.wsgi_request)]
    assert client.get(reverse("accounts:roles")).status_code == 302  # the session is gone


def test_a_working_token_answers_normally(client_for, organizer_user, probe_urls):
    store_token(organizer_user, {"access_token": "good", "refresh_token": "r", "expires_in": 3600})
    with responses.RequestsMock() as mock:
        mock.get(f"{API}/groups", json=[])
        response = client_for(organizer_user).get(PAGE)
    assert response.status_code == 200


def test_no_stored_token_signs_the_user_out(client_for, organizer_user, probe_urls):
    client = client_for(organizer_user)
    response = client.get(PAGE)
    _assert_signed_out_with_message(client, response)


def test_refused_token_whose_refresh_fails_signs_the_user_out(client_for, admin_user, probe_urls):
    store_token(admin_user, {"access_token": "old", "refresh_token": "dead", "expires_in": 3600})
    client = client_for(admin_user)
    with responses.RequestsMock() as mock:
        mock.get(
            f"{API}/groups",
            json={"int_err_code": "InvalidToken", "msg": "Invalid token passed"},
            status=403,
        )
        mock.post(
            f"{AUTH}/oauth/token",
            json={"error": "invalid_grant", "error_description": "refresh token revoked"},
            status=400,
        )
        response = client.get(PAGE)
    _assert_signed_out_with_message(client, response)


def test_expired_token_without_refresh_token_signs_the_user_out(client_for, admin_user, probe_urls):
    store_token(
        admin_user, {"access_token": "old", "refresh_token": "", "expires_at": time.time() - 60}
    )
    client = client_for(admin_user)
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        response = client.get(PAGE)
    _assert_signed_out_with_message(client, response)


def test_htmx_request_is_redirected_by_header(client_for, organizer_user, probe_urls):
    response = client_for(organizer_user).get(PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("account_login")
