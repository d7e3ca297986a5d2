"""Fixtures of the sync tests: a service connection to the sandbox, and a real Celery worker
on queues of this test session only (other test processes share the Redis broker)."""

from __future__ import annotations

import uuid

import pytest

SESSION_QUEUE = f"test-sync-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def sync_settings(sandbox_settings):
    """Settings for a full sync of the small sandbox: a back-fill reaching its oldest meeting."""
    sandbox_settings.SYNC_BACKFILL_DAYS = 370
    sandbox_settings.SYNC_OVERLAP_HOURS = 6
    sandbox_settings.SYNC_INTERACTIVE_QUEUE = f"{SESSION_QUEUE}-interactive"
    return sandbox_settings


@pytest.fixture
def service_admin(sync_settings, with_sandbox_token):
    """An Admin whose stored token (the sandbox's admin) background tasks use."""
    from tests.factories import UserFactory

    user = UserFactory(email="ada.admin@acme.example", role="admin", organizer_key=9100001)
    return with_sandbox_token(user, "admin@acme.example")


@pytest.fixture
def sync_worker(sync_settings):
    """A Celery worker (solo pool, in this process) consuming this session's queues."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    queues = [SESSION_QUEUE, sync_settings.SYNC_INTERACTIVE_QUEUE]
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=queues, shutdown_timeout=20
    ):
        yield SESSION_QUEUE
    with app.connection_for_write() as connection:  # leave nothing behind in the broker
        client = getattr(connection.default_channel, "client", None)
        if client is not None:  # kombu's Redis transport keeps one binding set per queue
            for queue in queues:
                client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def usage_counts(settings):
    """API usage counts (``sync.usage``) of this test only, under a prefix of its own, removed
    afterwards; the "Redis does not answer" pause of an earlier test forgotten."""
    import redis

    from sync import usage

    prefix = f"{settings.GOTO_API_BUDGET_KEY_PREFIX}-{uuid.uuid4().hex[:8]}"
    settings.GOTO_API_BUDGET_KEY_PREFIX = prefix
    usage._down_until = 0.0
    yield prefix
    usage._down_until = 0.0
    try:
        client = redis.Redis.from_url(settings.GOTO_API_BUDGET_REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # no Redis on this machine: nothing was written there
