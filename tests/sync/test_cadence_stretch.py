"""Cadences stretch when the API budget cannot carry them: the least urgent area first and only
as far as needed, a periodic run before its stretched cadence is deferred (recorded with the
reason, no call sent), "Refresh now" still runs, the Sync page and /health/ judge freshness by
the stretched cadence and say why it is stretched; with enough budget nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sync.cadence import cadence_plan, duration_text
from sync.models import SyncOutcome, SyncRun
from sync.tasks import sync_organizers_task

pytestmark = pytest.mark.django_db


def _runs(area: str, api_calls: int, *, count: int = 5, minutes_ago: float = 1.0) -> SyncRun:
    """``count`` finished whole-account runs of ``area`` costing ``api_calls`` each; the newest
    started ``minutes_ago`` minutes ago (returned)."""
    newest = None
    for number in range(count, 0, -1):
        run = SyncRun.objects.create(area=area, outcome=SyncOutcome.SUCCESS, api_calls=api_calls)
        when = timezone.now() - timedelta(minutes=minutes_ago + 60 * (number - 1))
        SyncRun.objects.filter(pk=run.pk).update(started_at=when, finished_at=when)
        newest = run
    newest.refresh_from_db()
    return newest


@pytest.fixture
def default_cadences(settings):
    settings.SYNC_LIVE_EVERY_SECONDS = 60
    settings.SYNC_SCHEDULED_EVERY_SECONDS = 5 * 60
    settings.SYNC_ORGANIZERS_EVERY_SECONDS = 5 * 60
    settings.SYNC_HISTORY_EVERY_SECONDS = 15 * 60
    settings.SYNC_CADENCE_MAX_STRETCH = 12
    settings.GOTO_API_CALLS_PER_SECOND = 10
    settings.GOTO_API_BACKGROUND_HEADROOM = 2
    settings.GOTO_API_BUDGET_WINDOW_SECONDS = 1.05
    return settings


@pytest.fixture
def eager_tasks():
    """Tasks sent to the broker run at once in this process (as a worker would run them)."""
    from portal.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def one_call_a_second(default_cadences):
    """A budget of 3,600 calls an hour, all of it the sync's."""
    default_cadences.GOTO_API_CALLS_PER_SECOND = 1
    default_cadences.GOTO_API_BACKGROUND_HEADROOM = 0
    default_cadences.GOTO_API_BUDGET_WINDOW_SECONDS = 1.0
    return default_cadences


def test_the_least_urgent_area_stretches_first_and_only_as_far_as_needed(one_call_a_second):
    _runs("live", 30)  # 1,800 an hour at every minute
    _runs("scheduled", 100)  # 1,200 an hour
    _runs("organizers", 10)  # 120 an hour
    _runs("history", 600)  # 2,400 an hour
    _runs("attendees", 300)  # 1,200 an hour: 6,720 in all, for a budget of 3,600

    plan = cadence_plan()

    assert plan.needed_per_hour > plan.background_per_hour == 3600
    stretch = {cadence.area: cadence.stretch for cadence in plan.areas}
    assert stretch["attendees"] == 12  # the least urgent, as far as allowed …
    assert stretch["history"] > 1  # … then the next one up
    assert stretch["live"] == stretch["scheduled"] == stretch["organizers"] == 1
    assert plan.fits
    history = plan.of("history")
    one_less = history.calls_per_run * 3600 / (history.configured * (history.stretch - 1)).seconds
    assert plan.planned_per_hour - history.calls_per_hour + one_less > 3600  # no more than needed
    assert plan.reason("history").startswith(
        f"every {duration_text(history.effective)} instead of 15 min: the API budget cannot"
    )
    assert plan.reason("live") == ""


def test_a_back_fill_run_alone_does_not_stretch_once_ordinary_runs_follow(one_call_a_second):
    _runs("history", 30, count=3)
    backfill = SyncRun.objects.create(area="history", outcome=SyncOutcome.SUCCESS, api_calls=90_000)
    SyncRun.objects.filter(pk=backfill.pk).update(finished_at=timezone.now() - timedelta(hours=5))

    assert not cadence_plan().of("history").stretched


def test_with_enough_budget_nothing_is_stretched_and_periodic_runs_run(
    default_cadences, service_admin, sandbox, admin_user, client_for
):
    _runs("live", 70)  # what the demo account costs today
    _runs("scheduled", 70)
    _runs("history", 60)
    last = _runs("organizers", 12, minutes_ago=2)

    plan = cadence_plan()
    assert all(not cadence.stretched for cadence in plan.areas)
    assert plan.fits
    result = sync_organizers_task()  # beat's tick, two minutes after the last run
    assert result["outcome"] == "success" and result["run"] != last.pk
    assert "Stretched" not in client_for(admin_user).get("/sync/").content.decode()


def test_a_periodic_run_within_the_stretched_cadence_is_deferred_with_the_reason(
    default_cadences, service_admin, sandbox, client_for
):
    # 4,000 calls a run every 5 minutes is 48,000 an hour: the sync's share is 27,429.
    last = _runs("organizers", 4000, minutes_ago=4)
    assert cadence_plan().of("organizers").effective == timedelta(minutes=10)

    first = sync_organizers_task()  # beat's tick, 4 minutes after the last run
    second = sync_organizers_task()  # and another: the same deferred row, brought up to date

    assert first["outcome"] == second["outcome"] == "deferred"
    deferred = SyncRun.objects.get(pk=first["run"])
    assert second["run"] == deferred.pk
    assert deferred.deferred and deferred.outcome == SyncOutcome.SKIPPED
    assert deferred.triggered_by == "schedule"
    assert deferred.error.startswith(
        "deferred: every 10 min instead of 5 min: the API budget cannot carry more"
    )
    assert sandbox.stats()["api_total"] == 0  # nothing was sent
    detail = client_for(service_admin).get(f"/sync/runs/{deferred.pk}/").content.decode()
    assert "deferred: every 10 min instead of 5 min" in detail
    assert "already running" not in detail

    when = timezone.now() - timedelta(minutes=8)  # the 2nd tick after it: the cadence elapsed
    SyncRun.objects.filter(pk=last.pk).update(started_at=when, finished_at=when)
    ran = sync_organizers_task()
    assert ran["outcome"] == "success"
    assert sandbox.stats()["api_total"] > 0


def test_a_failed_run_does_not_put_off_the_next_one(default_cadences, service_admin, sandbox):
    _runs("organizers", 4000, minutes_ago=8)  # stretched to 10 min: due at the next tick
    failed = SyncRun.objects.create(
        area="organizers", outcome=SyncOutcome.FAILED, api_calls=3, error="GoTo answered 503"
    )
    SyncRun.objects.filter(pk=failed.pk).update(finished_at=timezone.now())

    assert sync_organizers_task()["outcome"] == "success"


@pytest.mark.redis
def test_refresh_now_runs_an_area_whose_cadence_is_stretched(
    default_cadences, service_admin, sandbox, client_for, eager_tasks
):
    _runs("organizers", 4000, minutes_ago=1)
    assert cadence_plan().of("organizers").stretched

    client_for(service_admin).post("/sync/refresh/", {"area": "organizers"})

    refresh = SyncRun.objects.filter(triggered_by=service_admin.email).get()
    assert refresh.outcome == SyncOutcome.SUCCESS and refresh.api_calls > 0
    assert not SyncRun.objects.filter(error__startswith="deferred").exists()


def test_the_page_and_health_judge_freshness_by_the_stretched_cadence_and_say_why(
    one_call_a_second, admin_user, client_for
):
    from portal.health import sync_ages

    # History every 15 min, 3,000 calls a run: 12,000 an hour for a budget of 3,600.
    newest = _runs("history", 3000, minutes_ago=60)  # stale at 15 min, fresh at 60 min
    SyncRun.objects.create(
        area="history",
        outcome=SyncOutcome.SKIPPED,
        finished_at=timezone.now(),
        error=f"deferred: {cadence_plan().reason('history')}",
    )
    assert cadence_plan().of("history").effective == timedelta(hours=1)
    assert newest.finished_at < timezone.now() - timedelta(minutes=45)  # stale at 3 × 15 min

    page = client_for(admin_user).get("/sync/").content.decode()

    cadence = page.split('data-testid="cadence-history"')[1].split("</td>")[0]
    assert "1 h" in cadence
    assert "Stretched: every 1 h instead of 15 min: the API budget cannot carry more" in cadence
    freshness = page.split('data-testid="freshness-history"')[1].split("</td>")[0]
    assert "Stale" not in freshness
    assert "Deferred" in page.split("Recent runs")[1]
    assert "Stretched" not in page.split('data-testid="cadence-live"')[1].split("</td>")[0]
    history = {area["area"]: area for area in sync_ages()}["history"]
    assert history["status"] == "ok" and history["interval_seconds"] == 3600
