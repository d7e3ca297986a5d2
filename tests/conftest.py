"""Shared fixtures: the four named users, the sandbox, and the service checks."""

from __future__ import annotations

import os

import pytest

from tests.services import IN_CI, REQUIREMENTS, redis_available

_not_run: dict[str, set[str]] = {}


def pytest_configure(config):
    if not redis_available():
        if IN_CI:
            raise pytest.UsageError(
                "CI=true but Redis does not answer on 127.0.0.1:6379: start it, CI needs it."
            )
        # Run everything that does not need Redis against an in-process cache and broker.
        os.environ.setdefault("CACHE_URL", "locmemcache://")
        os.environ.setdefault("CELERY_BROKER_URL", "memory://")
        os.environ.setdefault("CELERY_RESULT_BACKEND", "cache+memory://")


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
