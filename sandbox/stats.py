"""Counts of requests per route pattern, for tests that assert how many calls a client made."""

from __future__ import annotations

import threading


class RequestStats:
    """Thread-safe counters keyed by ``"METHOD /path/{pattern}"`` and by status code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, int] = {}
        self._statuses: dict[str, int] = {}
        self._total = 0
        self._api_total = 0

    def record(self, label: str, status: int, *, api: bool) -> None:
        with self._lock:
            self._total += 1
            self._api_total += 1 if api else 0
            self._routes[label] = self._routes.get(label, 0) + 1
            self._statuses[str(status)] = self._statuses.get(str(status), 0) + 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": self._total,
                "api_total": self._api_total,
                "routes": dict(sorted(self._routes.items())),
                "statuses": dict(sorted(self._statuses.items())),
            }

    def reset(self) -> None:
        with self._lock:
            self._routes.clear()
            self._statuses.clear()
            self._total = 0
            self._api_total = 0
