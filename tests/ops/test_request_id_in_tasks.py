"""A task enqueued during a request carries the request's id (a message header) into the
worker: its log lines and audit entries have it, so one click can be followed end to end."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from accounts.models import AuditEntry
from portal.celery import app
from portal.request_context import current_request_id, reset_request_id, set_request_id
from tests.ops.worker_tasks import record_run

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait_for_entry(target_id: str) -> AuditEntry:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        entry = AuditEntry.objects.filter(target_id=target_id).first()
        if entry is not None:
            return entry
        time.sleep(0.1)
    pytest.fail(f"the task never recorded {target_id}")


@pytest.fixture
def worker_queue():
    queue = f"ops-request-id-{uuid.uuid4().hex[:8]}"
    with start_worker(
        app,
        pool="threads",
        concurrency=1,
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=10,
    ):
        yield queue


def test_a_task_enqueued_in_a_request_logs_and_audits_with_the_request_id(
    worker_queue, console_output
):
    batch = uuid.uuid4().hex[:8]
    token = set_request_id("click-0123456789")  # as RequestIdMiddleware does
    try:
        record_run.apply_async(args=[batch, 1], queue=worker_queue)
    finally:
        reset_request_id(token)

    entry = _wait_for_entry(f"{batch}:1")
    assert entry.request_id == "click-0123456789"
    task_lines = [line for line in console_output.getvalue().splitlines() if batch in line]
    assert task_lines and all("[click-0123456789]" in line for line in task_lines)


def test_the_worker_forgets_the_id_when_the_task_ends(worker_queue):
    batch = uuid.uuid4().hex[:8]
    token = set_request_id("click-aaaaaaaaaa")
    try:
        record_run.apply_async(args=[batch, 1], queue=worker_queue)
    finally:
        reset_request_id(token)
    record_run.apply_async(args=[batch, 2], queue=worker_queue)  # from no request at all

    assert _wait_for_entry(f"{batch}:1").request_id == "click-aaaaaaaaaa"
    assert _wait_for_entry(f"{batch}:2").request_id == ""
    assert current_request_id() is None
