"""The API budget: how many calls a token may send, asked before every request.

GoTo answers at most a fixed number of requests per second per token (10); every process that
uses the same token must draw from one budget, or each retries its own 429s and they starve one
another. The transport asks :meth:`CallBudget.acquire` before each request it sends (retries
included) and tells :meth:`CallBudget.throttled` about every 429. The shared implementation
lives with the portal (``sync.budget``, in Redis); this package has no Django and no Redis, so
it defines the protocol, an unlimited budget, and an in-process sliding window (the same rule
for one process, used when the shared store is down).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from .errors import RateLimited


class BudgetExhausted(RateLimited):
    """No call could be had within the time the caller can wait: nothing was sent. A kind of
    RateLimited, so callers word it as GoTo's own 429 ("busy, try again in a moment")."""

    def __init__(self, status=None, code=None, message="", retry_after: float | None = None):
        super().__init__(
            None,
            "BudgetExhausted",
            message or "GoTo's request budget for this sign-in is spent for now; nothing was sent.",
            retry_after,
        )


class CallBudget(Protocol):
    def acquire(self, *, max_wait: float | None = None) -> float:
        """Block until one call may be sent; the seconds waited. Raises BudgetExhausted when
        no call can be had within ``max_wait`` seconds."""
        ...

    def throttled(self, retry_after: float | None) -> None:
        """GoTo answered 429: hold every caller of this budget for ``retry_after`` seconds and
        send fewer calls for a while."""
        ...


class Unlimited:
    """No budget at all (tests of the client, tools that make a handful of calls)."""

    def acquire(self, *, max_wait: float | None = None) -> float:
        return 0.0

    def throttled(self, retry_after: float | None) -> None:
        return None


def wait_for_room(
    try_take: Callable[[], float],
    *,
    max_wait: float | None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> float:
    """Call ``try_take`` (0 = taken, else the seconds until room) until it takes a call; the
    seconds waited. Shared by every budget so they wait and give up the same way."""
    started = clock()
    waited_at_all = False
    while True:
        wait = try_take()
        if wait <= 0:
            return clock() - started if waited_at_all else 0.0
        waited = clock() - started
        if max_wait is not None and waited + wait > max_wait:
            raise BudgetExhausted(retry_after=wait)
        sleep(min(wait, 0.25))  # short naps: a 429 hold or a freed slot is seen soon
        waited_at_all = True


class LocalWindow:
    """A sliding window of ``calls`` per ``window`` seconds, in this process only: the same rule
    as the shared window in Redis, for one process (used when Redis does not answer).

    ``try_take(reserve=n)`` leaves the window's last ``n`` calls to callers that reserve none
    (interactive work goes first; background work yields that headroom). After a 429 every
    caller waits out ``Retry-After``, then the window allows ``slow_factor`` of its calls for
    ``slow_seconds``.
    """

    def __init__(
        self,
        *,
        calls: int,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        slow_factor: float = 0.5,
        slow_seconds: float = 60.0,
    ):
        self.calls, self.window = calls, window
        self.slow_factor, self.slow_seconds = slow_factor, slow_seconds
        self.clock = clock
        self._sent: deque[float] = deque()
        self._hold_until = 0.0
        self._slow_until = 0.0
        self._lock = threading.Lock()

    def try_take(self, *, reserve: int = 0) -> float:
        """Take one call now (0.0), or say how many seconds until one may be taken."""
        with self._lock:
            now = self.clock()
            if now < self._hold_until:
                return self._hold_until - now
            while self._sent and self._sent[0] <= now - self.window:
                self._sent.popleft()
            calls = self.calls
            if now < self._slow_until:
                calls = max(1, int(calls * self.slow_factor))
            limit = max(1, calls - reserve)
            if len(self._sent) < limit:
                self._sent.append(now)
                return 0.0
            return self._sent[len(self._sent) - limit] + self.window - now

    def hold(self, retry_after: float | None) -> None:
        """A 429: nobody sends for ``retry_after`` seconds, then fewer calls for a while."""
        with self._lock:
            now = self.clock()
            self._hold_until = max(self._hold_until, now + (retry_after or 1.0))
            self._slow_until = now + self.slow_seconds


class LocalBudget:
    """A :class:`CallBudget` over a :class:`LocalWindow`, at one priority (``reserve``)."""

    def __init__(
        self,
        window: LocalWindow,
        *,
        reserve: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.window, self.reserve, self._sleep = window, reserve, sleep

    def acquire(self, *, max_wait: float | None = None) -> float:
        return wait_for_room(
            lambda: self.window.try_take(reserve=self.reserve),
            max_wait=max_wait,
            sleep=self._sleep,
            clock=self.window.clock,
        )

    def throttled(self, retry_after: float | None) -> None:
        self.window.hold(retry_after)
