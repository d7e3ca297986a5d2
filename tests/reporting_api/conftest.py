"""Fixtures of the reporting API tests: a token for a user, and requests made with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def make_token(db):
    """``make_token(user, days=30)`` creates a token for ``user`` and returns its secret."""
    from reporting_api.services import api_token_create

    def make(user, *, days: int = 30, name: str = "BI") -> str:
        _token, secret = api_token_create(
            owner=user,
            name=name,
            expires_at=timezone.now() + timedelta(days=days),
            acting_user=user,
        )
        return secret

    return make


@pytest.fixture
def api_get(client):
    """``api_get(path, secret, **params)``: a GET with ``Authorization: Bearer <secret>``."""

    def get(path: str, secret: str | None = None, **params):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return client.get(path, params, headers=headers)

    return get


# The meetings tests' hand-counted history (two group trees, five meetings, their attendees).
from tests.meetings.conftest import account_manager, history, scoped_manager  # noqa: E402, F401
