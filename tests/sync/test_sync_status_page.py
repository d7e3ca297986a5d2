"""The Sync status page: freshness per area with a stale warning, recent runs paginated, the
service connection, whether a worker answers, and "Refresh now" (audited, htmx progress).
With the broker or Redis down the page still serves what the database knows and says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from sync.models import SyncOutcome, SyncRun
from sync.selectors import RUNS_PER_PAGE

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """The Celery app talks to a broker address where nothing listens."""
    from portal.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = UNREACHABLE
    yield
    app.conf.broker_url = saved


def _finished(area: str, minutes_ago: float, **fields) -> SyncRun:
    run = SyncRun.objects.create(area=area, outcome=SyncOutcome.SUCCESS, **fields)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    SyncRun.objects.filter(pk=run.pk).update(started_at=when, finished_at=when)
    return run


def test_page_shows_freshness_per_area_and_warns_when_older_than_three_intervals(
    admin_user, client_for, settings
):
    settings.SYNC_HISTORY_EVERY_SECONDS = 15 * 60
    settings.SYNC_ORGANIZERS_EVERY_SECONDS = 5 * 60
    _finished("history", 4)
    _finished("organizers", 16)

    page = client_for(admin_user).get("/sync/").content.decode()

    history = page.split('data-testid="freshness-history"')[1].split("</td>")[0]
    organizers = page.split('data-testid="freshness-organizers"')[1].split("</td>")[0]
    assert "Meeting history synced 4\xa0minutes ago" in history
    assert "Stale" not in history
    assert "Stale: older than three intervals." in organizers
    assert "Never synced in full." in page.split('data-testid="freshness-live"')[1]


def test_recent_runs_are_paginated(admin_user, client_for):
    for minutes in range(RUNS_PER_PAGE + 5):
        _finished("live", minutes, rows_created=minutes)

    first = client_for(admin_user).get("/sync/").content.decode()
    second = client_for(admin_user).get("/sync/?page=2").content.decode()

    assert "Page 1 of 2" in first and "Older →" in first
    assert "Page 2 of 2" in second and second.count('href="/sync/runs/') == 5


def test_empty_state_when_nothing_ever_ran(admin_user, client_for):
    page = client_for(admin_user).get("/sync/").content.decode()
    assert "No sync has run yet." in page


def test_worker_that_does_not_answer_is_shown_unreachable(admin_user, client_for, broker_down):
    page = client_for(admin_user).get("/sync/")

    assert page.status_code == 200
    assert "worker unreachable" in page.content.decode()


def test_service_connection_in_use_is_named(admin_user, client_for, with_sandbox_token, sandbox):
    with_sandbox_token(admin_user, "admin@acme.example")

    page = client_for(admin_user).get("/sync/").content.decode()

    connection = page.split('data-testid="service-connection"')[1].split("</div>\n  <div")[0]
    assert f"Stored token of {admin_user.email}" in connection


def test_refresh_that_cannot_be_queued_says_so_and_is_audited_as_a_failure(
    admin_user, client_for, broker_down
):
    response = client_for(admin_user).post("/sync/refresh/", {"area": "history"}, follow=True)

    assert response.status_code == 200
    assert "task queue (Redis) is unreachable" in response.content.decode()
    run = SyncRun.objects.get()
    assert run.outcome == SyncOutcome.FAILED and "unreachable" in run.error
    entries = list(
        AuditEntry.objects.filter(action="sync.trigger").values_list("outcome", flat=True)
    )
    assert sorted(entries) == ["failure", "success"]  # asked (success), then could not queue


def test_refresh_with_an_unknown_area_changes_nothing(admin_user, client_for):
    response = client_for(admin_user).post("/sync/refresh/", {"area": "everything"}, follow=True)

    assert "Choose one of the sync areas to refresh." in response.content.decode()
    assert not SyncRun.objects.exists()
    assert not AuditEntry.objects.filter(action="sync.trigger").exists()


def test_progress_fragment_polls_while_running_and_stops_when_done(admin_user, client_for):
    run = SyncRun.objects.create(area="history", progress=40)
    web = client_for(admin_user)

    running = web.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    SyncRun.objects.filter(pk=run.pk).update(
        outcome=SyncOutcome.SUCCESS, progress=100, rows_created=12, finished_at=timezone.now()
    )
    done = web.get(f"/sync/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()

    assert f'hx-get="/sync/runs/{run.pk}/"' in running and 'value="40"' in running
    assert "hx-get" not in done and "12 created" in done


def test_progress_of_a_failed_run_follows_its_retry(admin_user, client_for):
    failed = SyncRun.objects.create(
        area="organizers", outcome=SyncOutcome.FAILED, error="HTTP 500", triggered_by="x@y"
    )
    retry = SyncRun.objects.create(area="organizers", triggered_by="x@y", progress=10)

    fragment = (
        client_for(admin_user)
        .get(f"/sync/runs/{failed.pk}/", HTTP_HX_REQUEST="true")
        .content.decode()
    )

    assert f'id="run-{retry.pk}"' in fragment


def test_page_still_serves_when_the_lock_store_is_down(admin_user, client_for, settings):
    _finished("history", 4)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE,
        }
    }

    page = client_for(admin_user).get("/sync/")

    assert page.status_code == 200
    assert "Lock store unreachable." in page.content.decode()


def test_page_loads_the_system_health_detail_for_admins(admin_user, client_for):
    from django.urls import reverse

    page = client_for(admin_user).get(reverse("sync:status"))
    assert f'hx-get="{reverse("health:detail")}"'.encode() in page.content
    detail = client_for(admin_user).get(reverse("health:detail"), HTTP_HX_REQUEST="true")
    assert detail.status_code == 200
    assert b"Database" in detail.content or b"database" in detail.content
