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
        self._generation = 0

    def begin(self) -> int:
        """A token to pass to :meth:`record` for a request that starts now."""
        return self._generation

    def record(self, label: str, status: int, *, api: bool, begun: int | None = None) -> None:
        """Count one answered request; one that began before the last :meth:`reset` is not
        counted (a slow request of before the reset would otherwise land in the new counts)."""
        with self._lock:
            if begun is not None and begun != self._generation:
                return
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
            self._generation += 1
