"""Shared fixtures: the four named users, the sandbox, and the service checks."""

from __future__ import annotations

import email
import logging
import os
import socket
import threading
import time
from email import policy

import pytest

from tests.services import IN_CI, REQUIREMENTS, redis_available

_not_run: dict[str, set[str]] = {}


def pytest_configure(config):
    # Without Redis, tests/settings.py uses an in-process cache and broker for the rest.
    if not redis_available() and IN_CI:
        raise pytest.UsageError(
            "CI=true but Redis does not answer on 127.0.0.1:6379: start it, CI needs it."
        )


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker, (available, reason) in REQUIREMENTS.items():
            if marker in item.keywords and not available():
                if IN_CI:
                    raise pytest.UsageError(f"CI=true but {reason}: {item.nodeid} needs it.")
                _not_run.setdefault(reason, set()).add(item.nodeid)
                item.add_marker(pytest.mark.skip(reason=f"not run here: {reason}"))


def pytest_terminal_summary(terminalreporter):
    if not _not_run:
        return
    terminalreporter.section("not run on this machine")
    for reason, ids in _not_run.items():
        terminalreporter.write_line(f"{len(ids)} test(s) not run: {reason}")


@pytest.fixture(autouse=True)
def _isolated_cache(settings, request):
    """Each test gets its own cache key space, so locks and counters never leak."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{os.getpid()}-{id(request)}"}
    }
    yield


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(email="alice.admin@acme.example", role="admin", organizer_key=9000001)


@pytest.fixture
def manager_user(db):
    from tests.factories import UserFactory

    return UserFactory(email="bob.manager@acme.example", role="manager", organizer_key=9000002)


@pytest.fixture
def organizer_user(db):
    from tests.factories import UserFactory

    return UserFactory(
        email="carol.organizer@acme.example", role="organizer", organizer_key=9000003
    )


@pytest.fixture
def outsider_user(db):
    """Signed in once, but an admin has revoked their portal access."""
    from tests.factories import UserFactory

    return UserFactory(email="dave.outsider@example.com", role="organizer", portal_access=False)


@pytest.fixture
def client_for(client):
    """``client_for(user)`` signs ``user`` in on the test client and returns it."""

    def sign_in(user):
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


# --- The sandbox: a real local GoToMeeting API over HTTP ------------------------------------


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    """One sandbox process (size small, rate limit off) for the whole test session."""
    from sandbox.testing import running_sandbox

    state = tmp_path_factory.mktemp("sandbox") / "state.json"
    with running_sandbox(seed=1, size="small", state_path=state, rate_limit=False) as handle:
        yield handle


@pytest.fixture
def sandbox(sandbox_server):
    """The sandbox, reset to its seeded state with every fault off."""
    latency_ms = sandbox_server.faults().get("latency_ms") or 0
    sandbox_server.faults(
        rate_limit=False, error_rate=0, latency_ms=0, expire_tokens=False, fail_next=[]
    )
    if latency_ms:
        # A slow request an earlier test gave up on is still being answered: let it finish, so
        # it lands neither in this test's data nor in its request counts.
        time.sleep(latency_ms / 1000 + 0.25)
    sandbox_server.reset()
    sandbox_server.reset_stats()
    return sandbox_server


@pytest.fixture
def sandbox_settings(sandbox, settings):
    """Django settings pointed at the test sandbox."""
    for name, value in sandbox.portal_settings().items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def goto_client(sandbox_settings, sandbox):
    """``goto_client(email)``: a real API client acting as that sandbox user."""
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    def make(email: str = "admin@acme.example", **options):
        options.setdefault("sleep", lambda seconds: None)
        return GoToMeetingClient(
            api_base_url=sandbox.api_base_url,
            oauth=oauth_config(),
            token=sandbox.token_for(email),
            **options,
        )

    return make


@pytest.fixture
def with_sandbox_token(sandbox):
    """``with_sandbox_token(user, email)`` stores a sandbox token for ``user`` (as if signed in)."""
    from accounts.tokens import store_token

    def attach(user, email: str | None = None):
        store_token(user, sandbox.token_for(email or user.email))
        return user

    return attach


@pytest.fixture
def slow_goto(sandbox, settings):
    """``slow_goto(latency_ms, deadline=…, check=…)``: the sandbox answers every API call that
    much later, and pages give each call ``deadline`` s and a lost answer's check ``check`` s."""

    def slow(latency_ms: int, *, deadline: float = 1.0, check: float = 0.5):
        settings.GOTO_INTERACTIVE_DEADLINE_SECONDS = deadline
        settings.GOTO_OUTCOME_CHECK_SECONDS = check
        sandbox.faults(latency_ms=latency_ms)

    return slow


@pytest.fixture
def queued_tasks(monkeypatch):
    """``(name, kwargs)`` of each task sent by name (``portal.celery.app.send_task``), kept here
    instead of going to the broker: a test runs the task itself when it wants to."""
    from portal.celery import app

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        app, "send_task", lambda name, kwargs=None, **options: sent.append((name, kwargs or {}))
    )
    return sent


def wait_until(condition, *, timeout: float = 10.0, what: str = "the condition") -> None:
    """Poll ``condition`` until it holds (e.g. the sandbox finishing a request it delayed)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


# --- A real SMTP server on loopback (aiosmtpd), for the e-mail digests -----------------------


class RecordingHandler:
    """Keeps every message that arrives; refuses the recipients in ``refused`` (550)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller, settings):
    """The loopback SMTP server, emptied, with Django's SMTP backend pointed at it."""
    controller, handler = _smtp_controller
    handler.messages.clear()
    handler.refused.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    return handler
