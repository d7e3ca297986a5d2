"""``/health/``: is this portal fit to serve? For load balancers, monitors and Admins.

Each part is ``ok``, ``degraded`` or ``down``:

==============  =====================================================  =========
part            probe (each bounded by a short timeout)                critical
==============  =====================================================  =========
database        ``SELECT 1`` (django-health-check ``Database``)        yes
cache           set + get a key (django-health-check ``Cache``)        yes
broker          connect to the Celery broker (kombu, 1 retry)          yes
worker          ``control.ping(timeout=1)``; a worker per queue        yes
api             any HTTP answer from GOTO_TOKEN_URL's host (3 s)       no
sync_<area>     age of the last successful SyncRun of each area        no
==============  =====================================================  =========

The answer is 503 when a critical part is down, else 200 (degraded parts alone keep 200).
JSON for ``Accept: application/json`` or ``?format=json``, else a small HTML page. No login:
load balancers call it, and they, like anybody not signed in as an Admin (Managers and
Organizers too), get the status alone (``{"status": "down"}``): which part is down and when
each area last synced tell an outsider where to push. A signed-in Admin gets each part, its
message, the workers, timings and sync ages (:func:`detail_answer`,
``templates/health/_detail.html``), also on the Sync status page; never a URL, host, user or
password.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import MediaType

from .permissions import ADMIN, role_required, user_has_role

logger = logging.getLogger(__name__)

OK, DEGRADED, DOWN = "ok", "degraded", "down"
CRITICAL_PARTS = ("database", "cache", "broker", "worker")


# --- Probes ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Database(checks.Database):
    """``SELECT 1`` on a connection of its own, within 3 s."""

    timeout: ClassVar[datetime.timedelta] = datetime.timedelta(seconds=3)


@dataclasses.dataclass
class Broker(HealthCheck):
    """A fresh connection to the Celery broker, with one retry and a short connect timeout."""

    timeout: ClassVar[datetime.timedelta] = datetime.timedelta(seconds=3)

    def run(self) -> None:
        from portal.celery import app

        try:
            with app.connection_for_write(connect_timeout=2) as connection:
                connection.ensure_connection(
                    max_retries=1, interval_start=0, interval_step=0.5, interval_max=0.5, timeout=2
                )
        except Exception as error:  # kombu raises OperationalError, redis its own errors
            raise ServiceUnavailable(
                f"Cannot connect to the broker ({type(error).__name__})"
            ) from error


@dataclasses.dataclass
class Worker(Ping):
    """A live Celery worker answers a ping within 1 s, and each expected queue has one."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=3), repr=False
    )
    ping_timeout: float = dataclasses.field(default=1.0, repr=False)
    queues: tuple[str, ...] = dataclasses.field(default=(), repr=False)
    workers: list[str] = dataclasses.field(default_factory=list, repr=False)

    def run(self) -> None:
        try:
            answers = self.app.control.ping(timeout=self.ping_timeout)
        except Exception as error:
            raise ServiceUnavailable(f"Cannot ping the workers ({type(error).__name__})") from error
        if not answers:
            raise ServiceUnavailable("No Celery worker answered the ping")
        self.workers = sorted(self.active_workers(answers))
        if not self.queues:
            return
        replies = self.app.control.inspect(self.workers, timeout=self.ping_timeout).active_queues()
        consumed = {queue.get("name") for queues in (replies or {}).values() for queue in queues}
        missing = [queue for queue in self.queues if queue not in consumed]
        if missing:
            raise ServiceUnavailable(f"No worker consumes the queue(s): {', '.join(missing)}")


@dataclasses.dataclass
class GoToApi(HealthCheck):
    """The GoTo token endpoint's host answers over HTTP (any status counts) within 3 s."""

    timeout: ClassVar[datetime.timedelta] = datetime.timedelta(seconds=3)

    def run(self) -> None:
        parts = urlsplit(settings.GOTO_TOKEN_URL)
        origin = f"{parts.scheme}://{parts.netloc}/"
        try:
            requests.head(origin, timeout=self.timeout.total_seconds(), allow_redirects=False)
        except requests.RequestException as error:
            raise ServiceUnavailable(
                f"The GoTo API did not answer ({type(error).__name__})"
            ) from error


@dataclasses.dataclass
class SyncAges(HealthCheck):
    """Age of the last successful sync per area; degraded past 3× its interval, or never."""

    timeout: ClassVar[datetime.timedelta] = datetime.timedelta(seconds=3)
    areas: list[dict[str, Any]] = dataclasses.field(default_factory=list, repr=False)

    async def run(self) -> None:
        # The ORM runs on the caller's thread (and its connection), never in the event loop.
        self.areas = await sync_to_async(sync_ages, thread_sensitive=True)()
        stale = [area["label"] for area in self.areas if area["status"] != OK]
        if stale:
            raise ServiceWarning(f"Not synced recently: {', '.join(stale)}")


def sync_ages(*, now: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Per sync area: last successful run, its age, the allowed age and a status, by the rule of
    freshness the Sync status page uses too (:func:`sync.selectors.last_success_by_area`)."""
    from sync.selectors import area_ages, duration_text

    now = now or timezone.now()
    areas = []
    for age in area_ages(now=now):
        interval = int(age.interval.total_seconds())
        max_age = int(age.max_age.total_seconds())
        if age.last_success_at is None:
            status, message = DEGRADED, "never synced"
        else:
            status = DEGRADED if age.stale else OK
            message = f"last success {timesince(age.last_success_at, now)} ago"
        areas.append(
            {
                "name": f"sync_{age.area}",
                "area": age.area,
                "label": age.label,
                "status": status,
                "message": message,
                "last_success": age.last_success_at,
                "interval_seconds": interval,
                "interval_label": duration_text(age.interval),
                "max_age_seconds": max_age,
                "max_age_label": duration_text(age.max_age),
            }
        )
    return areas


# --- The report --------------------------------------------------------------------------------


def _part(name: str, label: str, result: HealthCheckResult | None, *, reason: str = ""):
    if result is None:  # not probed: what it depends on is down
        status, message, duration = DOWN, reason, None
    else:
        error = result.error
        status = OK if error is None else DEGRADED if isinstance(error, ServiceWarning) else DOWN
        message = "" if error is None else error.message
        duration = round(result.time_taken * 1000, 1)
    return {
        "name": name,
        "label": label,
        "status": status,
        "critical": name in CRITICAL_PARTS,
        "message": message,
        "duration_ms": duration,
    }


async def _probe(checks_: list[HealthCheck], executor) -> list[HealthCheckResult]:
    return list(await asyncio.gather(*(check.get_result(executor) for check in checks_)))


def health_report() -> dict[str, Any]:
    """Probe every part and return the report ``/health/`` and the Sync status page show.

    ``{"status": "ok|degraded|down", "http_status": 200|503, "checked_at": datetime,
    "parts": [{"name", "label", "status", "critical", "message", "duration_ms"}, ...],
    "workers": ["celery@host", ...], "sync": [{"name", "area", "label", "status", "message",
    "last_success", "interval_seconds", "interval_label", "max_age_seconds", "max_age_label"},
    ...]}``.
    The worker is pinged only when the broker answers, the sync ages read only when the
    database does, so one outage costs no extra timeouts. Takes about 1 s (the worker ping).
    """
    from portal.celery import app

    executor = ThreadPoolExecutor(max_workers=6, thread_name_prefix="health")
    try:
        database, cache, broker = async_to_sync(_probe)(
            [Database(), checks.Cache(timeout=datetime.timedelta(seconds=3)), Broker()],
            executor,
        )
        api_check, worker_check, sync_check = (
            GoToApi(),
            Worker(app=app, queues=tuple(settings.HEALTH_CHECK_WORKER_QUEUES)),
            SyncAges(),
        )
        second = [api_check]
        if broker.error is None:
            second.append(worker_check)
        if database.error is None:
            second.append(sync_check)
        results = {id(r.check): r for r in async_to_sync(_probe)(second, executor)}
    finally:
        # A probe stuck past its timeout is abandoned, never waited for.
        executor.shutdown(wait=False, cancel_futures=True)

    parts = [
        _part("database", "Database", database),
        _part("cache", "Cache", cache),
        _part("broker", "Task broker", broker),
        _part(
            "worker",
            "Celery worker",
            results.get(id(worker_check)),
            reason="Not checked: the broker is down",
        ),
        _part("api", "GoTo API", results.get(id(api_check))),
    ]
    sync_result = results.get(id(sync_check))
    if sync_result is not None and (
        sync_result.error is None or isinstance(sync_result.error, ServiceWarning)
    ):
        sync = sync_check.areas
        parts += [
            {
                "name": area["name"],
                "label": f"Sync: {area['label']}",
                "status": area["status"],
                "critical": False,
                "message": area["message"],
                "duration_ms": None,
            }
            for area in sync
        ]
    else:
        sync = []
        parts.append(
            {
                "name": "sync",
                "label": "Sync",
                "status": DEGRADED,
                "critical": False,
                "message": "Unknown: the database is down"
                if sync_result is None
                else f"Unknown: {sync_result.error.message}",
                "duration_ms": None,
            }
        )
    down = any(part["status"] == DOWN and part["critical"] for part in parts)
    status = DOWN if down else OK if all(part["status"] == OK for part in parts) else DEGRADED
    for part in parts:
        if part["status"] != OK:
            level = logging.WARNING if part["critical"] else logging.INFO
            logger.log(level, "Health: %s is %s: %s", part["name"], part["status"], part["message"])
    return {
        "status": status,
        "http_status": 503 if down else 200,
        "checked_at": timezone.now(),
        "parts": parts,
        "workers": worker_check.workers,
        "sync": sync,
    }


def status_answer(report: dict[str, Any]) -> dict[str, Any]:
    """What anybody may see (a load balancer, a signed-out browser, a Manager): the status."""
    return {"status": report["status"]}


def detail_answer(report: dict[str, Any]) -> dict[str, Any]:
    """What a signed-in Admin sees as JSON: each part's status and a short message."""
    return {
        "status": report["status"],
        "checked_at": report["checked_at"].isoformat(),
        "parts": {
            part["name"]: {"status": part["status"], "critical": part["critical"]}
            | ({"message": part["message"]} if part["message"] else {})
            for part in report["parts"]
        },
    }


# --- The view ------------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    try:
        media = list(MediaType.parse_header(request.headers.get("Accept") or "*/*"))
    except ValueError:
        return False
    for item in media:
        if item.mime_type in ("application/json", "application/*"):
            return True
        if item.mime_type in ("text/html", "application/xhtml+xml", "text/*", "*/*"):
            return False
    return False


def _is_admin(request: HttpRequest) -> bool:
    try:
        return user_has_role(request.user, ADMIN)
    except DatabaseError:  # the database is down: answer as to anybody
        return False


@login_not_required
@never_cache
@require_safe
def status(request: HttpRequest) -> HttpResponse:
    """200, or 503 when a critical part is down; the parts themselves for Admins alone."""
    report = health_report()
    code = report["http_status"]
    admin = _is_admin(request)
    if _wants_json(request):
        answer = detail_answer(report) if admin else status_answer(report)
        response = JsonResponse(answer, status=code)
    else:
        context = {"health": report} if admin else {"health": status_answer(report)}
        response = render(
            request, "health/status.html", {**context, "show_detail": admin}, status=code
        )
    patch_vary_headers(response, ["Accept", "Cookie"])
    return response


@role_required(*ADMIN)
@never_cache
@require_safe
def detail(request: HttpRequest) -> HttpResponse:
    """The Admin's view: timings, workers, sync ages. htmx gets the fragment alone, so the Sync
    status page can load it after the page (``hx-get`` on load) instead of waiting ~1 s."""
    template = "health/_detail.html" if getattr(request, "htmx", False) else "health/detail.html"
    return render(request, template, {"health": health_report()})


app_name = "health"
urlpatterns = [
    path("", status, name="status"),
    path("detail/", detail, name="detail"),
]
