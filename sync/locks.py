"""One sync run per (task, key) at a time: a :class:`portal.locks.CacheLock` per area and key."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from portal.locks import CacheLock


def lock_key(area: str, key: str = "") -> str:
    """The cache key of the lock of ``area`` for ``key`` (a group key, or "" for the account)."""
    return f"sync-lock:{area}:{key or 'all'}"


def default_lock_timeout() -> int:
    """Longer than a task may run (its hard time limit), so a live run never loses its lock."""
    return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 16 * 60)) + 60


class SyncLock(CacheLock):
    """The lock of one sync run of ``area`` for ``key``."""

    def __init__(self, area: str, key: str = "", *, timeout: int | None = None) -> None:
        super().__init__(lock_key(area, key), timeout=timeout or default_lock_timeout())
        self.area = area
        self.key = key


def lock_is_held(area: str, key: str = "") -> bool:
    """Whether a run of ``area`` for ``key`` holds its lock now."""
    return cache.get(lock_key(area, key)) is not None
