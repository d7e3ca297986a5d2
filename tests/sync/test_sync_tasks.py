"""The sync tasks: scheduled by beat at the configured intervals on the "sync" queue, retried
with backoff on rate limits and server errors, and a missing service connection recorded as
a failed run (not retried: an Admin has to act)."""

from __future__ import annotations

import pytest

from accounts.tokens import TokenRevoked
from gotomeeting import RateLimited, ServerError, TransportError
from portal.celery import app
from sync.models import SyncArea, SyncOutcome, SyncRun
from sync.tasks import sync_history_task, sync_live_task, sync_organizers_task

pytestmark = pytest.mark.django_db


def test_beat_runs_every_area_at_its_configured_interval_on_the_sync_queue(settings):
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["organizers.sync_organizers"]["schedule"].total_seconds() == (
        settings.SYNC_ORGANIZERS_EVERY_SECONDS
    )
    assert schedule["meetings.sync_history"]["schedule"].total_seconds() == (
        settings.SYNC_HISTORY_EVERY_SECONDS
    )
    assert schedule["meetings.sync_live"]["schedule"].total_seconds() == (
        settings.SYNC_LIVE_EVERY_SECONDS
    )
    assert {entry["options"]["queue"] for entry in schedule.values()} == {"sync"}
    assert set(schedule) <= set(app.tasks)
    sync_routes = {
        task for task, route in settings.CELERY_TASK_ROUTES.items() if route["queue"] == "sync"
    }
    assert set(schedule) == sync_routes


def test_tasks_retry_with_backoff_on_rate_limits_and_server_errors():
    for task in (sync_organizers_task, sync_history_task, sync_live_task):
        assert set(task.autoretry_for) == {RateLimited, ServerError, TransportError}
        assert task.retry_backoff and task.retry_jitter and task.max_retries == 5
        assert task.acks_late
    assert sync_live_task.soft_time_limit < sync_live_task.time_limit


def test_task_without_a_service_connection_records_a_failed_run(sync_settings):
    run = SyncRun.objects.create(area=SyncArea.ORGANIZERS, triggered_by="admin@acme.example")

    result = sync_organizers_task.apply(kwargs={"run_id": run.pk})

    assert isinstance(result.result, TokenRevoked)
    run.refresh_from_db()
    assert run.outcome == SyncOutcome.FAILED
    assert run.error.startswith("No service connection")
    assert run.finished_at is not None
