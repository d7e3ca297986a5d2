"""``/health/`` answers 503 naming the failing part when PostgreSQL, Redis or the worker stops,
and 200 again once it is back — against real services.

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
        web_port = free_port()
        web = gunicorn("web", web_port, env, tmp_path).start()
        worker = celery_worker("worker", "interactive,sync", env, tmp_path).start()
        started += [web, worker]
        yield {
            "postgres": postgres,
            "redis": redis,
            "worker": worker,
            "url": f"http://127.0.0.1:{web_port}/health/",
            "tmp": tmp_path,
        }
    finally:
        for process in reversed(started):
            process.stop()
        redis.stop()
        postgres.destroy()


def _health(stack) -> tuple[int, dict]:
    return get_json(stack["url"])


def _wait_for_status(stack, code: int, what: str, seconds: float = 60) -> dict:
    def answered():
        status, body = _health(stack)
        return body if status == code else None

    return wait_until(answered, seconds=seconds, what=what, every=0.5)


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
    healthy = _wait_for_status(stack, 200, "the portal and its worker to be up")
    assert healthy["status"] in {"ok", "degraded"}
    assert not _down_parts(healthy) & set(CRITICAL)
    assert healthy["parts"]["api"]["status"] == "down"  # not critical: 200 all the same

    # The worker stops (killed, as a crashed machine would leave it).
    stack["worker"].stop(signal.SIGKILL)
    body = _wait_for_status(stack, 503, "a 503 once the worker is gone")
    assert body["status"] == "down"
    assert _down_parts(body) & set(CRITICAL) == {"worker"}
    stack["worker"].start()
    _wait_for_status(stack, 200, "a 200 once the worker is back")

    # Redis stops: the cache and the broker are down, and the worker cannot be reached.
    stack["redis"].stop()
    body = _wait_for_status(stack, 503, "a 503 once Redis is gone")
    assert {"cache", "broker", "worker"} <= _down_parts(body)
    assert body["parts"]["database"]["status"] == "ok"
    _assert_no_address_or_credential(stack, body)
    stack["redis"].start()
    _wait_for_status(stack, 200, "a 200 once Redis is back (the worker reconnects)", 90)

    # PostgreSQL stops.
    stack["postgres"].stop()
    body = _wait_for_status(stack, 503, "a 503 once PostgreSQL is gone")
    assert _down_parts(body) & set(CRITICAL) == {"database"}
    assert body["parts"]["cache"]["status"] == "ok"
    _assert_no_address_or_credential(stack, body)
    # The HTML page needs no database either.
    status, html = get_html(stack["url"])
    assert status == 503 and 'data-part="database"' in html
    stack["postgres"].start()
    _wait_for_status(stack, 200, "a 200 once PostgreSQL is back")
