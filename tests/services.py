"""Which local services (PostgreSQL, Redis) this test run can use.

On a developer's machine without them, tests that need them are not run and the summary
names them. Under CI=true a missing service is an error, never a skip.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from urllib.parse import urlsplit

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@cache
def redis_available() -> bool:
    parts = urlsplit(REDIS_URL)
    if not _answers(parts.hostname or "127.0.0.1", parts.port or 6379):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@cache
def postgres_available() -> bool:
    return _answers("127.0.0.1", 5432)


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return None


def postgres_is_the_test_database() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


REQUIREMENTS = {
    "postgres": (
        postgres_is_the_test_database,
        "the test database is SQLite, not PostgreSQL (set DATABASE_URL, as .ci/run does)",
    ),
    "redis": (redis_available, "Redis is not reachable at " + REDIS_URL),
    "e2e": (lambda: chromium_path() is not None, "Chromium is not installed (/usr/bin/chromium)"),
}
