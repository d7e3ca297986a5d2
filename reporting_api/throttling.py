"""The per-token rate limit: ``settings.API_RATE_LIMIT`` requests per token and window
(``"600/min"``), counted in the default cache (Redis, shared by every web process); beyond it
DRF answers 429 with ``Retry-After``, the seconds until the window ends.

A fixed window counted with the cache's atomic ``incr``, not DRF's ``SimpleRateThrottle``: that
one keeps every request's timestamp of the window in one cache entry, read, unpickled, pruned
and written back by each request. Two requests at once can both read the old list (lost counts,
so the limit lets more through under exactly the load it is for), and the entry grows with the
limit: at 100 requests/s with a high limit, the API's list ran at 48 requests/s instead of
100 (``make bench --quick``). ``incr`` is one Redis round trip and never loses a count. The price
of a fixed window: a client may spend one window's allowance at its end and the next at the
start of the next, twice the rate for a moment, which does no harm to a read-only API.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60): requests and the window in seconds (DRF's syntax)."""
    count, _, period = rate.partition("/")
    return int(count), UNITS[period.strip()[0]]


class PerTokenThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        if token is None:
            return True  # no token: refused before any work by authentication/permissions
        limit, window = parse_rate(settings.API_RATE_LIMIT)
        now = time.time()
        index = int(now // window)
        key = f"api-rate:{token.pk}:{window}:{index}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this request opens the window
            cache.set(key, 1, timeout=window + 1)
            count = 1
        self._wait = (index + 1) * window - now
        return count <= limit

    def wait(self) -> float:
        return max(1.0, self._wait)
