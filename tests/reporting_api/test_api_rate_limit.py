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


@pytest.mark.django_db(transaction=True)  # the threads' own connections see the token
def test_concurrent_requests_are_all_counted(settings, make_token, manager_user):
    """Requests at the same moment from several processes' worth of threads: the cache's
    atomic counter loses none, so exactly the limit gets through."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import Client

    settings.API_RATE_LIMIT = "10/hour"
    secret = make_token(manager_user)

    def call(_n):
        try:
            return Client().get(API, headers={"Authorization": f"Bearer {secret}"}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(call, range(30)))
    assert statuses.count(200) == 10
    assert statuses.count(429) == 20
