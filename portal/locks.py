"""Locks through Django's cache API (Redis in production, the database cache in the embedded
demo), so they hold across processes and machines.

``cache.add`` claims a lock only when nobody holds it; it expires on its own (a worker killed
with SIGKILL cannot hold it for ever); only its owner (the holder of the random token) releases
or extends it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache


class LockBusy(Exception):
    """Someone else holds the lock."""


class CacheLock:
    """A lock on ``cache_key`` held by one owner; :meth:`acquire` / :meth:`release`, or ``with``."""

    def __init__(self, cache_key: str, *, timeout: int) -> None:
        self.cache_key = cache_key
        self.timeout = timeout
        self.token = uuid.uuid4().hex
        self.held = False

    def acquire(self) -> bool:
        """Claim the lock; False when another owner holds it."""
        self.held = bool(cache.add(self.cache_key, self.token, self.timeout))
        return self.held

    def owned(self) -> bool:
        return self.held and cache.get(self.cache_key) == self.token

    def extend(self) -> bool:
        """Push the expiry back (a long run); False if the lock was lost meanwhile."""
        if not self.owned():
            return False
        return bool(cache.touch(self.cache_key, self.timeout))

    def release(self) -> None:
        """Release the lock if still owned (an expired one may be someone else's by now)."""
        if self.owned():
            cache.delete(self.cache_key)
        self.held = False

    def __enter__(self) -> CacheLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


@contextmanager
def cache_lock(name: str, *, timeout: int = 60, wait: float = 0.0) -> Iterator[str]:
    """Hold ``name`` for at most ``timeout`` seconds; wait up to ``wait`` seconds for it.

    Raises :class:`LockBusy` when it cannot be had.
    """
    lock = CacheLock(f"lock:{name}", timeout=timeout)
    deadline = time.monotonic() + wait
    while not lock.acquire():
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        time.sleep(0.05)
    try:
        yield lock.token
    finally:
        lock.release()
