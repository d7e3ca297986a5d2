"""One sync run per (task, key) at a time, through Django's cache API.

The cache is Redis in production, so the lock holds across processes and machines. ``add``
claims it only when nobody holds it; it expires on its own (a worker killed with SIGKILL cannot
hold it for ever); only its owner (the holder of the random token) releases or extends it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache


def lock_key(area: str, key: str = "") -> str:
    """The cache key of the lock of ``area`` for ``key`` (a group key, or "" for the account)."""
    return f"sync-lock:{area}:{key or 'all'}"


def default_lock_timeout() -> int:
    """Longer than a task may run (its hard time limit), so a live run never loses its lock."""
    return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 16 * 60)) + 60


class SyncLock:
    """A lock held by one run; use :meth:`acquire` / :meth:`release`, or ``with``."""

    def __init__(self, area: str, key: str = "", *, timeout: int | None = None) -> None:
        self.area = area
        self.key = key
        self.cache_key = lock_key(area, key)
        self.timeout = timeout or default_lock_timeout()
        self.token = uuid.uuid4().hex
        self.held = False

    def acquire(self) -> bool:
        """Claim the lock; False when another run holds it."""
        self.held = bool(cache.add(self.cache_key, self.token, self.timeout))
        return self.held

    def owned(self) -> bool:
        return self.held and cache.get(self.cache_key) == self.token

    def extend(self) -> bool:
        """Push the expiry back (a long foreground back-fill); False if the lock was lost."""
        if not self.owned():
            return False
        return bool(cache.touch(self.cache_key, self.timeout))

    def release(self) -> None:
        """Release the lock if this run still owns it (an expired one may be someone else's)."""
        if self.owned():
            cache.delete(self.cache_key)
        self.held = False

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def lock_is_held(area: str, key: str = "") -> bool:
    """Whether a run of ``area`` for ``key`` holds its lock now."""
    return cache.get(lock_key(area, key)) is not None
