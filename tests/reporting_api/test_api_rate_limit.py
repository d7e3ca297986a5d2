"""The per-token rate limit (``API_RATE_LIMIT``), counted in the real Redis cache: the request
beyond it gets 429 with ``Retry-After``; another token, even of the same user, is counted apart.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
API = reverse("api:meeting_instances")


def test_request_beyond_the_limit_gets_429_with_retry_after(
    settings, api_get, make_token, manager_user
):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    settings.API_RATE_LIMIT = "3/min"
    secret = make_token(manager_user)
    assert [api_get(API, secret).status_code for _ in range(3)] == [200, 200, 200]
    refused = api_get(API, secret)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    other = make_token(manager_user, name="second")
    assert api_get(API, other).status_code == 200


def test_the_limit_comes_from_the_setting(settings, api_get, make_token, manager_user):
    settings.API_RATE_LIMIT = "1/min"
    secret = make_token(manager_user)
    assert api_get(API, secret).status_code == 200
    assert api_get(API, secret).status_code == 429
