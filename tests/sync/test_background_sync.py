"""The sync as it runs in production: Celery tasks through the real Redis broker to a real
worker, against the sandbox over HTTP. The cache ends up equal to the sandbox; a second run
creates nothing and asks only what the incremental rule allows; a server error is retried by
Celery until the run succeeds; two triggers at once run once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from accounts.models import AuditEntry
from gotomeeting import GoToMeetingClient
from organizers.models import Group, Organizer
from sync.models import SyncArea, SyncOutcome, SyncRun
from sync.tasks import (
    sync_attendees_task,
    sync_history_task,
    sync_live_task,
    sync_organizers_task,
    sync_scheduled_task,
)
from tests.sync.expectations import assert_cache_matches

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TASKS = (
    sync_organizers_task,
    sync_history_task,
    sync_attendees_task,
    sync_scheduled_task,
    sync_live_task,
)
PER_INSTANCE_ATTENDEES = "GET /G2M/rest/meetings/{meetingId}/attendees"
HISTORY_ROUTES = (
    "GET /G2M/rest/groups/{groupKey}/historicalMeetings",
    "GET /G2M/rest/organizers/{organizerKey}/historicalMeetings",
)


def _run_all(queue: str) -> list[dict]:
    """Run every sync task on the worker, in order, and return their results."""
    results = []
    for task in TASKS:
        results.append(task.apply_async(queue=queue).get(timeout=60))
    return results


def test_full_sync_through_the_worker_equals_the_sandbox_and_a_second_run_changes_nothing(
    sandbox, service_admin, sync_worker
):
    first = _run_all(sync_worker)

    assert [r["outcome"] for r in first] == ["success"] * 5
    state = sandbox.state()
    assert_cache_matches(state)
    first_history = SyncRun.objects.get(area=SyncArea.HISTORY, key="")
    # Each history window brought its meetings' attendees: the attendees task had nothing left.
    assert first_history.rows_created == len(state["instances"]) + len(state["attendees"])
    first_attendees = SyncRun.objects.get(area=SyncArea.ATTENDEES)
    assert (first_attendees.rows_created, first_attendees.api_calls) == (0, 0)
    assert sandbox.stats()["routes"].get(PER_INSTANCE_ATTENDEES, 0) == 0

    sandbox.reset_stats()
    second = _run_all(sync_worker)

    assert [(r["outcome"], r["created"], r["updated"]) for r in second] == [("success", 0, 0)] * 5
    assert_cache_matches(sandbox.state())
    routes = sandbox.stats()["routes"]
    history_calls = sum(routes.get(route, 0) for route in HISTORY_ROUTES)
    big = Group.objects.filter(num_organizers__gt=50)
    assert big.exists(), "the small sandbox has a group of more than 50 organizers"
    allowed = Group.objects.filter(num_organizers__lte=50).count() + sum(
        Organizer.objects.filter(group=g, organizer_key__isnull=False).count() for g in big
    )
    assert 0 < history_calls <= allowed
    second_history = SyncRun.objects.filter(area=SyncArea.HISTORY, key="").latest("id")
    assert second_history.api_calls == history_calls
    # Each group asked only for the window since its last sync, plus the overlap.
    group_runs = SyncRun.objects.filter(area=SyncArea.HISTORY, id__gt=second_history.pk)
    assert group_runs.count() == Group.objects.count()
    for group_run in group_runs:
        assert group_run.window_end - group_run.window_start < timedelta(hours=7)
    # The overlap windows' meetings all have their attendees already: no attendee call at all
    # (a meeting held since costs one attendee call for its window: test_attendees_sync.py).
    assert not [route for route in routes if "attendees" in route], "no attendee asked twice"


def test_server_error_fails_the_run_and_celery_retries_until_it_succeeds(
    sandbox, service_admin, sync_worker
):
    # A 500 is not retried by the client (only 429/502/503/504 are): Celery's autoretry is.
    sandbox.faults(fail_next=[500])

    result = sync_organizers_task.apply_async(queue=sync_worker).get(timeout=60)

    assert result["outcome"] == "success"
    runs = list(SyncRun.objects.filter(area=SyncArea.ORGANIZERS).order_by("id"))
    assert [run.outcome for run in runs] == [SyncOutcome.FAILED, SyncOutcome.SUCCESS]
    assert "500" in runs[0].error
    assert runs[1].rows_created == Group.objects.count() + Organizer.objects.count()


def test_two_triggers_at_once_run_once_and_the_second_says_already_running(
    sandbox, service_admin, sync_worker, goto_client, client_for, monkeypatch
):
    from sync.services import organizers_sync

    entered, release = threading.Event(), threading.Event()
    original = GoToMeetingClient.get_organizers

    def held_get_organizers(self):
        entered.set()
        assert release.wait(30)
        return original(self)

    monkeypatch.setattr(GoToMeetingClient, "get_organizers", held_get_organizers)
    first = sync_organizers_task.apply_async(queue=sync_worker)
    assert entered.wait(30), "the worker started the first run"

    second = organizers_sync(client=goto_client(), triggered_by="second trigger")
    page = client_for(service_admin).post("/sync/refresh/", {"area": "organizers"}, follow=True)
    release.set()
    assert first.get(timeout=60)["outcome"] == "success"

    assert second.outcome == SyncOutcome.SKIPPED
    assert second.error == "already running"
    assert "already running" in page.content.decode()
    outcomes = list(
        SyncRun.objects.filter(area=SyncArea.ORGANIZERS).values_list("outcome", flat=True)
    )
    assert sorted(outcomes) == sorted(
        [SyncOutcome.SUCCESS, SyncOutcome.SKIPPED, SyncOutcome.SKIPPED]
    )
    assert Organizer.objects.count() == len(sandbox.state()["organizers"])


def test_refresh_now_queues_on_the_interactive_queue_and_its_progress_reaches_done(
    sandbox, service_admin, sync_worker, sync_settings, client_for, monkeypatch
):
    from celery.result import AsyncResult
    from celery.signals import before_task_publish

    import sync.tasks

    # The worker waits until both requests are answered: the in-memory SQLite test database
    # cannot take writes from two threads at once (a real deployment's database can).
    requests_done = threading.Event()
    original = sync.tasks.run_sync_service

    def gated(*args, **kwargs):
        assert requests_done.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(sync.tasks, "run_sync_service", gated)
    published: list[tuple[str, str]] = []

    def remember(sender=None, routing_key=None, headers=None, **kwargs):
        published.append((routing_key, headers["id"]))

    before_task_publish.connect(remember, weak=False)
    web = client_for(service_admin)
    try:
        response = web.post("/sync/refresh/", {"area": "organizers"}, HTTP_HX_REQUEST="true")
        plain = web.post("/sync/refresh/", {"area": "live"}, follow=True)
    finally:
        before_task_publish.disconnect(remember)
        requests_done.set()

    assert [queue for queue, _ in published] == [sync_settings.SYNC_INTERACTIVE_QUEUE] * 2
    results = [AsyncResult(task_id).get(timeout=60) for _, task_id in published]
    assert [result["outcome"] for result in results] == ["success", "success"]
    run = SyncRun.objects.get(area=SyncArea.ORGANIZERS)
    assert results[0]["run"] == run.pk, "the task filled the run the page polls"
    assert f'hx-get="/sync/runs/{run.pk}/"' in response.content.decode()  # htmx polls the run
    assert "Live meetings: refresh queued." in plain.content.decode()  # the page without JS
    fragment = web.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "done" in fragment and "hx-get" not in fragment
    assert Organizer.objects.count() == len(sandbox.state()["organizers"])
    audit = AuditEntry.objects.filter(action="sync.trigger", actor=service_admin)
    assert sorted(audit.values_list("outcome", flat=True)) == ["success", "success"]
