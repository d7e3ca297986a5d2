"""``/health/``: no login, JSON or HTML, 200/503 from the critical parts only. Load balancers
and anybody else get the status alone; a signed-in Admin gets the parts, sync ages, timings and
workers."""

from __future__ import annotations

import http.server
import threading
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.celery import app
from portal.health import health_report, sync_ages
from sync.models import SyncArea, SyncOutcome, SyncRun
from tests.ops.processes import free_port

URL = "/health/"


@pytest.fixture(autouse=True)
def _queues_nobody_consumes(settings):
    """Queue names of this test alone: a worker another test (or helper) runs on the shared
    broker never counts as this portal's worker."""
    settings.HEALTH_CHECK_WORKER_QUEUES = [f"ops-health-{uuid.uuid4().hex[:8]}"]


@pytest.fixture
def live_worker(settings):
    """A Celery worker consuming this test's own stand-ins for "interactive" and "sync".

    Celery's Django fix-up closes the database connections when a worker starts, which ends a
    test's transaction on PostgreSQL: tests using it need ``django_db(transaction=True)``."""
    queues = [f"ops-health-{name}-{uuid.uuid4().hex[:8]}" for name in ("interactive", "sync")]
    settings.HEALTH_CHECK_WORKER_QUEUES = queues
    with start_worker(
        app,
        pool="threads",
        concurrency=1,
        queues=queues,
        perform_ping_check=False,
        shutdown_timeout=10,
    ):
        yield queues


@pytest.fixture
def token_host(settings):
    """A web server answering 404 to everything, as the GoTo token host's root might."""

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.GOTO_TOKEN_URL = f"http://127.0.0.1:{server.server_port}/oauth/token"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_token_host(settings):
    settings.GOTO_TOKEN_URL = f"http://127.0.0.1:{free_port()}/oauth/token"


def _parts(body: dict) -> dict[str, str]:
    return {name: part["status"] for name, part in body["parts"].items()}


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.django_db
def test_health_needs_no_login_and_answers_anonymous_callers_the_status_alone(
    client, no_token_host
):
    SyncRun.objects.create(
        area=SyncArea.LIVE, outcome=SyncOutcome.SUCCESS, finished_at=timezone.now()
    )
    response = client.get(URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response.json() == {"status": "down"}
    assert "Cookie" in response["Vary"] and "Accept" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["manager_user", "organizer_user"])
def test_other_roles_get_the_status_alone_too(client_for, user, request, no_token_host):
    client = client_for(request.getfixturevalue(user))
    assert client.get(URL, {"format": "json"}).json() == {"status": "down"}
    html = client.get(URL).content.decode()
    assert 'data-status="down"' in html
    assert "data-part=" not in html and "Celery worker" not in html and "Sync:" not in html


@pytest.mark.django_db
def test_admins_see_the_parts_and_the_missing_worker_is_named(admin_client, no_token_host):
    response = admin_client.get(URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    parts = _parts(body)
    assert parts["worker"] == "down"
    assert parts["database"] == parts["cache"] == parts["broker"] == "ok"
    assert body["parts"]["worker"]["critical"] is True
    assert body["parts"]["worker"]["message"]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_health_is_200_when_the_critical_parts_are_up_even_with_api_and_sync_degraded(
    client, admin_user, live_worker, no_token_host
):
    assert client.get(URL, {"format": "json"}).json() == {"status": "degraded"}
    client.force_login(admin_user)
    response = client.get(URL, {"format": "json"})
    assert response.status_code == 200, response.json()
    body = response.json()
    parts = _parts(body)
    assert all(parts[name] == "ok" for name in ("database", "cache", "broker", "worker"))
    assert parts["api"] == "down" and body["parts"]["api"]["critical"] is False
    assert parts["sync_organizers"] == "degraded"  # never synced
    assert body["status"] == "degraded"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_must_consume_every_expected_queue(
    admin_client, live_worker, settings, no_token_host
):
    settings.HEALTH_CHECK_WORKER_QUEUES = [*live_worker, "nobody-consumes-this"]
    body = admin_client.get(URL, {"format": "json"}).json()
    assert body["parts"]["worker"]["status"] == "down"
    assert "nobody-consumes-this" in body["parts"]["worker"]["message"]


@pytest.mark.django_db
def test_any_http_answer_from_the_token_host_means_the_api_is_reachable(admin_client, token_host):
    body = admin_client.get(URL, {"format": "json"}).json()
    assert body["parts"]["api"]["status"] == "ok"


@pytest.mark.django_db
def test_unreachable_api_is_named_but_does_not_decide_the_status_code(admin_client, no_token_host):
    body = admin_client.get(URL, {"format": "json"}).json()
    assert body["parts"]["api"]["status"] == "down"
    assert "did not answer" in body["parts"]["api"]["message"]
    # 503 here comes from the worker alone (see the test above with a live worker).
    assert {n for n, s in _parts(body).items() if s == "down"} == {"worker", "api"}


@pytest.mark.django_db
def test_sync_area_is_degraded_when_older_than_three_intervals_or_never_synced(settings):
    settings.SYNC_ORGANIZERS_EVERY_SECONDS = 300
    settings.SYNC_HISTORY_EVERY_SECONDS = 900
    settings.SYNC_SCHEDULED_EVERY_SECONDS = 300
    settings.SYNC_LIVE_EVERY_SECONDS = 60
    now = timezone.now()

    def run(area, outcome, finished_ago):
        return SyncRun.objects.create(
            area=area, outcome=outcome, finished_at=now - timedelta(seconds=finished_ago)
        )

    run(SyncArea.ORGANIZERS, SyncOutcome.SUCCESS, 800)  # < 3 × 300 s
    run(SyncArea.HISTORY, SyncOutcome.SUCCESS, 2800)  # > 3 × 900 s
    run(SyncArea.HISTORY, SyncOutcome.FAILED, 10)  # a failure is no success
    run(SyncArea.SCHEDULED, SyncOutcome.FAILED, 10)
    run(SyncArea.LIVE, SyncOutcome.SKIPPED, 5)

    ages = {area["area"]: area for area in sync_ages(now=now)}
    assert ages["organizers"]["status"] == "ok"
    assert ages["history"]["status"] == "degraded"
    assert ages["history"]["max_age_seconds"] == 2700
    assert ages["scheduled"]["status"] == "degraded"
    assert ages["scheduled"]["message"] == "never synced"
    assert ages["live"]["status"] == "degraded"
    # Attendees come with the history: its interval unless one of its own is set.
    assert ages["attendees"]["interval_seconds"] == 900


@pytest.mark.django_db
def test_sync_ages_reach_the_admins_health_answer(admin_client, no_token_host):
    SyncRun.objects.create(
        area=SyncArea.LIVE, outcome=SyncOutcome.SUCCESS, finished_at=timezone.now()
    )
    body = admin_client.get(URL, {"format": "json"}).json()
    assert body["parts"]["sync_live"]["status"] == "ok"
    assert body["parts"]["sync_history"]["status"] == "degraded"
    assert body["parts"]["sync_history"]["critical"] is False


@pytest.mark.django_db
def test_html_by_default_with_the_status_alone_for_anonymous_users(client, no_token_host):
    SyncRun.objects.create(
        area=SyncArea.LIVE, outcome=SyncOutcome.SUCCESS, finished_at=timezone.now()
    )
    response = client.get(URL, HTTP_ACCEPT="text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "System status" in html and 'data-status="down"' in html
    for detail in ("data-part=", "health-detail", "worker", "Sync:", "did not answer", " ago"):
        assert detail not in html, detail
    assert response["Vary"] and "Accept" in response["Vary"]


@pytest.mark.django_db
def test_admins_see_the_detail_view(admin_client, no_token_host):
    html = admin_client.get(URL).content.decode()
    assert 'data-testid="health-detail"' in html
    assert 'data-part="worker"' in html
    assert "<h3>Workers</h3>" in html and " ms</td>" in html


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_detail_fragment_shows_timings_workers_and_sync_ages(live_worker, no_token_host):
    SyncRun.objects.create(
        area=SyncArea.HISTORY, outcome=SyncOutcome.SUCCESS, finished_at=timezone.now()
    )
    report = health_report()
    html = render_to_string("health/_detail.html", {"health": report})
    for part in report["parts"]:
        assert f'data-part="{part["name"]}"' in html
    assert report["workers"] and report["workers"][0] in html
    assert 'data-area="history"' in html and " ms" in html


@pytest.mark.django_db
def test_only_safe_methods_are_answered(client):
    assert client.post(URL).status_code == 405
    assert reverse("health:status") == URL


@pytest.mark.django_db
def test_the_detail_page_is_for_admins_and_htmx_gets_the_fragment(
    client_for, admin_user, no_token_host
):
    client = client_for(admin_user)
    page = client.get(reverse("health:detail"))
    assert page.status_code == 200
    assert b"<h1>System health</h1>" in page.content
    fragment = client.get(reverse("health:detail"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert fragment.content.lstrip().startswith(b"<section")
    assert b'data-testid="health-detail"' in fragment.content
