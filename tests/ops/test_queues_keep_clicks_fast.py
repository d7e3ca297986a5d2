"""User-triggered work runs on the "interactive" queue, periodic sync on "sync", so a long
back-fill never delays an Admin's click (docs/production.md, "Queues")."""

from __future__ import annotations

import json
import signal
import uuid

import pytest
import redis
from django.conf import settings

from portal.celery import app
from tests.ops.processes import IsolatedBroker, celery_worker, portal_env, wait_until
from tests.services import REDIS_URL

PROJECT_APPS = {"accounts", "organizers", "meetings", "sync"}


def _queue_of(task_name: str, **options) -> str:
    """The queue ``task.apply_async(**options)`` would send to, through the real router."""
    task = app.tasks[task_name]
    route = app.amqp.router.route({**task._get_exec_options(), **options}, task_name, (), {}, task)
    return route["queue"].name


@pytest.fixture(scope="module", autouse=True)
def _tasks_loaded():
    app.loader.import_default_modules()


def test_every_periodic_sync_is_scheduled_on_the_sync_queue():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule, "beat has nothing to run"
    for entry in schedule.values():
        assert _queue_of(entry["task"], **entry.get("options", {})) == "sync", entry
        # Also when something enqueues it with no options at all.
        assert _queue_of(entry["task"]) == "sync", entry["task"]


def test_user_triggered_tasks_default_to_the_interactive_queue():
    periodic = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    user_triggered = sorted(
        name
        for name, task in app.tasks.items()
        if task.__module__.split(".")[0] in PROJECT_APPS and name not in periodic
    )
    assert user_triggered, "no user-triggered task found (imports, bulk actions)"
    for name in user_triggered:
        assert _queue_of(name) == "interactive", name


def test_health_expects_a_worker_on_each_queue():
    assert set(settings.HEALTH_CHECK_WORKER_QUEUES) == {"interactive", "sync"}


@pytest.mark.redis
@pytest.mark.timeout(120)
def test_a_long_sync_does_not_delay_an_interactive_task(tmp_path):
    """One worker per queue, as docs/production.md runs them: while the sync worker is busy
    with a long back-fill (and more wait behind it), a click's task runs at once."""
    broker = IsolatedBroker(settings.CELERY_BROKER_URL)
    env = portal_env(tmp_path, REDIS_URL=REDIS_URL, **broker.env())
    workers = [
        celery_worker("sync-worker", "sync", env, tmp_path).start(),
        celery_worker("interactive-worker", "interactive", env, tmp_path).start(),
    ]
    events_key = f"{broker.prefix}events:{uuid.uuid4().hex}"
    store = redis.Redis.from_url(REDIS_URL)

    def events() -> list[dict]:
        return [json.loads(item) for item in store.lrange(events_key, 0, -1)]

    def seen(label: str, event: str) -> dict | None:
        return next((e for e in events() if (e["label"], e["event"]) == (label, event)), None)

    try:
        broker.wait_for_workers("sync-worker", "interactive-worker")
        broker.send("ops_test.record_event", events_key, "backfill-1", 10, queue="sync")
        broker.send("ops_test.record_event", events_key, "backfill-2", 10, queue="sync")
        wait_until(lambda: seen("backfill-1", "started"), seconds=20, what="the back-fill start")

        broker.send("ops_test.record_event", events_key, "click", 0, queue="interactive")
        click = wait_until(lambda: seen("click", "finished"), seconds=20, what="the click's task")

        backfill_started = seen("backfill-1", "started")
        backfill_done = seen("backfill-1", "finished")
        assert backfill_started["at"] < seen("click", "started")["at"]
        # The click finished while the back-fill was still running ...
        assert backfill_done is None or backfill_done["at"] > click["at"]
        # ... and ahead of sync work queued before it.
        assert seen("backfill-2", "started") is None
        assert click["worker"].startswith("interactive-worker@")
        assert backfill_started["worker"].startswith("sync-worker@")
    finally:
        for worker in workers:
            worker.stop(signal.SIGKILL)  # no warm shutdown: the back-fill need not finish
        store.delete(events_key)
        broker.cleanup()
