"""Past one machine: two web processes and two workers share one PostgreSQL and one Redis.

The web tier keeps no state of its own (sessions live in PostgreSQL), so a sign-in that starts
on web A and finishes on web B gives a session both accept; tasks are claimed once, so N
enqueued tasks run N times in all, spread over the two workers. (docs/production.md,
"Scaling past one machine".)
"""

from __future__ import annotations

import os
import re
import signal
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from tests.ops.processes import (
    SHARED_POSTGRES,
    IsolatedBroker,
    celery_worker,
    free_port,
    gunicorn,
    manage,
    portal_env,
    wait_until,
)
from tests.services import IN_CI, REDIS_URL, postgres_available

pytestmark = [pytest.mark.redis, pytest.mark.timeout(180)]

# Behind a load balancer every web machine sees the same public host name.
PUBLIC_HOST = "localhost"
TASKS = 20


@pytest.fixture
def scale_database():
    """A database of its own on the shared PostgreSQL, created and dropped here."""
    if not postgres_available():
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL does not answer on 127.0.0.1:5432")
        pytest.skip("not run here: PostgreSQL does not answer on 127.0.0.1:5432")
    import psycopg

    name = f"portal_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_url = f"{SHARED_POSTGRES}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SHARED_POSTGRES}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_machines(tmp_path, scale_database, sandbox):
    broker = IsolatedBroker(settings.CELERY_BROKER_URL)
    env = portal_env(
        tmp_path,
        DATABASE_URL=scale_database,
        REDIS_URL=REDIS_URL,
        SANDBOX_PORT=str(sandbox.port),
        ALLOWED_HOSTS=f"{PUBLIC_HOST},127.0.0.1",
        **broker.env(),
    )
    manage(env, "migrate", "--noinput", "-v0")
    ports = {"web-a": free_port(), "web-b": free_port()}
    processes = [gunicorn(name, port, env, tmp_path).start() for name, port in ports.items()]
    processes += [
        celery_worker(name, "interactive,sync", env, tmp_path).start()
        for name in ("worker-1", "worker-2")
    ]
    try:
        for name, port in ports.items():
            wait_until(
                lambda port=port: (
                    requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).ok
                ),
                seconds=60,
                what=f"{name} to serve",
            )
        broker.wait_for_workers("worker-1", "worker-2")
        yield {
            "web_a": f"http://127.0.0.1:{ports['web-a']}",
            "web_b": f"http://127.0.0.1:{ports['web-b']}",
            "broker": broker,
            "database": scale_database,
        }
    finally:
        for process in processes:
            process.stop(signal.SIGKILL)
        broker.cleanup()


class _Form(HTMLParser):
    """The fields of the first form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("name") and self.action is not None:
            self.fields[attrs["name"]] = attrs.get("value") or ""


def _form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def _sign_in_across(machines, email: str = "admin@acme.example") -> requests.Session:
    """Start GoTo sign-in on web A, come back from GoTo to web B: one browser, two machines."""
    browser = requests.Session()
    browser.headers["Host"] = PUBLIC_HOST
    web_a, web_b = machines["web_a"], machines["web_b"]

    page = browser.get(f"{web_a}/accounts/goto/login/", timeout=10)
    assert page.status_code == 200, page.text[:500]
    started = browser.post(
        f"{web_a}/accounts/goto/login/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert started.status_code == 302, started.text[:500]
    authorize_url = started.headers["Location"]

    signin = requests.get(authorize_url, timeout=10)
    assert signin.status_code == 200, signin.text[:500]
    form = _form(signin.text)
    answer = requests.post(
        requests.compat.urljoin(authorize_url, form.action),
        data={**form.fields, "email": email, "password": "demo"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text[:500]
    callback = urlsplit(answer.headers["Location"])
    assert callback.hostname == PUBLIC_HOST

    # The load balancer sends the way back to the other machine.
    finished = browser.get(
        f"{web_b}{callback.path}?{callback.query}", allow_redirects=False, timeout=30
    )
    assert finished.status_code == 302, finished.text[:1000]
    assert "/accounts/login" not in finished.headers["Location"], finished.headers["Location"]
    return browser


def test_a_session_from_one_web_machine_is_valid_on_the_other(two_machines):
    browser = _sign_in_across(two_machines)
    for web in (two_machines["web_a"], two_machines["web_b"]):
        page = browser.get(f"{web}/portal/audit/", allow_redirects=False, timeout=10)
        assert page.status_code == 200, f"{web}: {page.status_code}"
        assert "admin@acme.example" in page.text

    stranger = requests.Session()
    stranger.headers["Host"] = PUBLIC_HOST
    page = stranger.get(f"{two_machines['web_b']}/portal/audit/", allow_redirects=False)
    assert page.status_code == 302 and "/accounts/login" in page.headers["Location"]


def test_each_enqueued_task_runs_exactly_once_across_two_workers(two_machines):
    import psycopg

    broker = two_machines["broker"]
    batch = uuid.uuid4().hex[:10]
    for n in range(TASKS):
        broker.send("ops_test.record_run", batch, n, queue="interactive")

    def runs() -> list[tuple[str, str]]:
        with psycopg.connect(two_machines["database"]) as conn:
            return conn.execute(
                "SELECT target_id, detail FROM accounts_auditentry "
                "WHERE target_type = 'ops_test' AND target_id LIKE %s",
                (f"{batch}:%",),
            ).fetchall()

    wait_until(lambda: len(runs()) >= TASKS, seconds=60, what=f"{TASKS} task runs")
    # Nothing left anywhere that could still run twice: queue empty, workers idle.
    inspect = broker.app.control.inspect(timeout=1)
    wait_until(
        lambda: (
            not any((inspect.active() or {}).values())
            and not any((inspect.reserved() or {}).values())
        ),
        seconds=20,
        what="both workers to be idle",
    )
    done = runs()
    items = [target for target, _ in done]
    assert sorted(items) == sorted(f"{batch}:{n}" for n in range(TASKS)), "a task ran twice"
    workers = {re.sub(r"@.*", "", worker) for _, worker in done}
    assert workers == {"worker-1", "worker-2"}, f"work was not shared: {workers}"
