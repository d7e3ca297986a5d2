"""``/health/`` answers 503 when PostgreSQL, Redis or the worker stops, and 200 again once it
is back — against real services. The load balancer's probe (no cookie) gets the status alone;
a signed-in Admin's gets the failing part's name.

The portal runs as it does in production (gunicorn, a Celery worker) but on a private
PostgreSQL cluster and a private redis-server started for this test, so stopping them never
disturbs the machine's shared instances that other tests use.
"""

from __future__ import annotations

import signal

import pytest

from tests.ops.processes import (
    PrivatePostgres,
    PrivateRedis,
    celery_worker,
    free_port,
    get_html,
    get_json,
    gunicorn,
    manage,
    portal_env,
    wait_until,
)

CRITICAL = ("database", "cache", "broker", "worker")
# Run by ``manage.py shell`` on the stack's database: an Admin's session, as a Cookie header.
SIGN_IN_AN_ADMIN = """
from django.conf import settings
from django.test import Client
from accounts.models import User
admin = User.objects.create(username="ops.admin@acme.example", email="ops.admin@acme.example",
                            role="admin")
client = Client()
client.force_login(admin)
name = settings.SESSION_COOKIE_NAME
print(f"{name}={client.cookies[name].value}")
"""

pytestmark = [pytest.mark.redis, pytest.mark.timeout(240)]


@pytest.fixture
def stack(tmp_path):
    """PostgreSQL + Redis of our own, a migrated database, one web process and one worker."""
    postgres = PrivatePostgres()
    redis = PrivateRedis(tmp_path)
    started = []
    try:
        postgres.start()
        postgres.create_database("portal")
        redis.start()
        env = portal_env(
            tmp_path,
            DATABASE_URL=postgres.url("portal"),
            REDIS_URL=redis.url(0),
            SANDBOX_PORT=str(free_port()),  # no GoTo API: "api" is down, which is not critical
        )
        manage(env, "migrate", "--noinput", "-v0")
        admin_cookie = manage(env, "shell", "--no-imports", "-c", SIGN_IN_AN_ADMIN).strip()
        web_port = free_port()
        web = gunicorn("web", web_port, env, tmp_path).start()
        worker = celery_worker("worker", "interactive,sync", env, tmp_path).start()
        started += [web, worker]
        yield {
            "postgres": postgres,
            "redis": redis,
            "worker": worker,
            "url": f"http://127.0.0.1:{web_port}/health/",
            "admin_cookie": admin_cookie,
            "tmp": tmp_path,
        }
    finally:
        for process in reversed(started):
            process.stop()
        redis.stop()
        postgres.destroy()


def _health(stack, *, admin: bool = False) -> tuple[int, dict]:
    return get_json(stack["url"], headers={"Cookie": stack["admin_cookie"]} if admin else None)


def _wait_for_status(stack, code: int, what: str, seconds: float = 60) -> dict:
    """Wait until the load balancer's probe (no cookie) gets ``code``; its body."""

    def answered():
        status, body = _health(stack)
        return body if status == code else None

    body = wait_until(answered, seconds=seconds, what=what, every=0.5)
    _assert_status_alone(body)
    return body


def _assert_status_alone(body: dict) -> None:
    """What a load balancer gets: the status, no part, message, time or worker."""
    assert set(body) == {"status"}, body
    assert body["status"] in {"ok", "degraded", "down"}


def _admin_parts(stack, code: int) -> dict:
    """What a signed-in Admin gets at the same moment: every part, each with its status."""
    status, body = _health(stack, admin=True)
    assert status == code, body
    return body


def _down_parts(body: dict) -> set[str]:
    return {name for name, part in body["parts"].items() if part["status"] == "down"}


def _assert_no_address_or_credential(stack, body: dict) -> None:
    """The answer names parts, never hosts, ports, URLs or secrets, even during an outage."""
    text = str(body)
    for leak in (
        f":{stack['postgres'].port}",
        f":{stack['redis'].port}",
        "127.0.0.1",
        "postgres://",
        "redis://",
        "ops-test-secret-key",
    ):
        assert leak not in text, leak


def test_health_names_each_stopped_service_and_recovers(stack):
    assert _wait_for_status(stack, 200, "the portal and its worker to be up")["status"] != "down"
    healthy = _admin_parts(stack, 200)
    assert healthy["status"] in {"ok", "degraded"}
    assert not _down_parts(healthy) & set(CRITICAL)
    assert healthy["parts"]["api"]["status"] == "down"  # not critical: 200 all the same

    # The worker stops (killed, as a crashed machine would leave it).
    stack["worker"].stop(signal.SIGKILL)
    assert _wait_for_status(stack, 503, "a 503 once the worker is gone") == {"status": "down"}
    body = _admin_parts(stack, 503)
    assert body["status"] == "down"
    assert _down_parts(body) & set(CRITICAL) == {"worker"}
    stack["worker"].start()
    _wait_for_status(stack, 200, "a 200 once the worker is back")

    # Redis stops: the cache and the broker are down, and the worker cannot be reached.
    stack["redis"].stop()
    assert _wait_for_status(stack, 503, "a 503 once Redis is gone") == {"status": "down"}
    body = _admin_parts(stack, 503)
    assert {"cache", "broker", "worker"} <= _down_parts(body)
    assert body["parts"]["database"]["status"] == "ok"
    _assert_no_address_or_credential(stack, body)
    stack["redis"].start()
    _wait_for_status(stack, 200, "a 200 once Redis is back (the worker reconnects)", 90)

    # PostgreSQL stops. Sessions live in it, so nobody is known to be an Admin: the status
    # alone, to anybody (the log names the part: "Health: database is down").
    stack["postgres"].stop()
    assert _wait_for_status(stack, 503, "a 503 once PostgreSQL is gone") == {"status": "down"}
    # The HTML page needs no database either.
    status, html = get_html(stack["url"])
    assert status == 503 and 'data-status="down"' in html and "data-part=" not in html
    stack["postgres"].start()
    _wait_for_status(stack, 200, "a 200 once PostgreSQL is back")
    assert _admin_parts(stack, 200)["parts"]["database"]["status"] == "ok"
