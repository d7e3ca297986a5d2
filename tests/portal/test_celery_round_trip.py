"""The Celery app sends a task through the real Redis broker to a real worker and back."""

from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app, ping


@pytest.mark.redis
def test_task_goes_through_redis_to_a_worker_and_returns_its_result(settings):
    assert app.conf.broker_url.startswith("redis://")
    queue = f"test-roundtrip-{uuid.uuid4().hex[:8]}"
    with start_worker(
        app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=10
    ):
        result = ping.apply_async(args=["hello from the test"], queue=queue)
        assert result.get(timeout=20) == "hello from the test"
