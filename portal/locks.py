"""A lock through Django's cache API (Redis in production, the database cache in the
embedded demo), so it holds across processes and machines. ``cache.add`` claims it once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache


class LockBusy(Exception):
    """Someone else holds the lock."""


@contextmanager
def cache_lock(name: str, *, timeout: int = 60, wait: float = 0.0) -> Iterator[str]:
    """Hold ``name`` for at most ``timeout`` seconds; wait up to ``wait`` seconds for it.

    Raises :class:`LockBusy` when it cannot be had. Released only by its owner.
    """
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while not cache.add(key, token, timeout):
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        time.sleep(0.05)
    try:
        yield token
    finally:
        if cache.get(key) == token:
            cache.delete(key)
