"""Fixtures for the API client tests: no Django, HTTP through ``responses``."""

from __future__ import annotations

import time

import pytest
import responses

from gotomeeting import GoToMeetingClient, OAuthConfig

API = "https://api.example.test/G2M/rest"
TOKEN_URL = "https://auth.example.test/oauth/token"
DIRECT_LOGIN_URL = "https://api.example.test/oauth/access_token"


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Replaces the project-wide Django cache fixture: these tests use no Django."""
    yield


@pytest.fixture
def oauth():
    return OAuthConfig(
        client_id="portal-demo",
        client_secret="portal-demo-secret",
        authorize_url="https://auth.example.test/oauth/authorize",
        token_url=TOKEN_URL,
        direct_login_url=DIRECT_LOGIN_URL,
        redirect_uri="https://portal.example.test/accounts/goto/login/callback/",
    )


def fresh_token(access_token="access-1", refresh_token="refresh-1", expires_in=3600):
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "refresh_token": refresh_token,
        "expires_in": expires_in,
        "expires_at": time.time() + expires_in,
    }


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def waits():
    """The waits the client asked for, in order (the fake ``sleep``)."""
    return []


@pytest.fixture
def make_client(oauth, waits):
    clients = []

    def build(**overrides):
        options = {
            "api_base_url": API,
            "oauth": oauth,
            "token": fresh_token(),
            "sleep": waits.append,
        }
        options.update(overrides)
        client = GoToMeetingClient(**options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client):
    return make_client()
