"""One API budget per GoTo token, shared by every process on every machine (Redis).

GoTo answers at most ``GOTO_API_CALLS_PER_SECOND`` (10) requests per second per token. Celery's
``rate_limit`` is per worker instance (celery/celery#5732), and each process retrying its own
429s makes things worse, so every call the portal sends draws from one window in Redis, keyed
by the token's owner (a refreshed token keeps its budget).

- **The rule**: a sliding window log (a sorted set of send times, Redis's own clock): a call
  may go when fewer than N calls were sent in the last ``GOTO_API_BUDGET_WINDOW_SECONDS``.
  A token bucket would allow its burst on top of its rate inside one second; the window never
  lets more than N through in any window, which is the rule GoTo (and the sandbox) enforce.
- **Interactive work first**: background work (the sync) stops at
  N − ``GOTO_API_BACKGROUND_HEADROOM`` calls per window; what is left is for a person's click
  (a suspend, an import, a meeting created), which may use the whole window.
- **A 429** (another client on the same token, or GoTo's own accounting) holds every caller for
  ``Retry-After`` and halves the window's calls for ``GOTO_API_SLOWDOWN_SECONDS``.
- **Redis loses the window** (restart, eviction): the next call starts a fresh one. **Redis does
  not answer**: each process falls back to its own window of the same rule
  (:class:`gotomeeting.budget.LocalWindow`), logged once, until Redis answers again.

Why a short Lua script and not ``limits``: its Redis strategies key each count by the limit's
own amount, so two priorities cannot share one count of calls, and it has no way to hold all
callers after a 429. The script is one atomic read-decide-write, about twenty lines.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
import uuid
from collections.abc import Callable

import redis
from django.conf import settings

from gotomeeting.budget import LocalWindow, wait_for_room

logger = logging.getLogger(__name__)


class Priority(enum.Enum):
    INTERACTIVE = "interactive"  # a person waits on the answer
    BACKGROUND = "background"  # the sync: yields the headroom


# KEYS: the window's sorted set, the hold key, the slow-down key.
# ARGV: calls per window, the window (s), this caller's reserve, a unique member.
# Returns "0" when a call was taken, else the seconds to wait (as text: Lua numbers → integers).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then return tostring(hold - now) end
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local factor = tonumber(redis.call('GET', KEYS[3]) or '1')
calls = math.max(1, math.floor(calls * factor))
local limit = math.max(1, calls - tonumber(ARGV[3]))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local sent = redis.call('ZCARD', KEYS[1])
if sent < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], sent - limit, sent - limit, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""

# KEYS: the hold key, the slow-down key. ARGV: seconds to hold, slow factor, slow seconds.
_THROTTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local hold = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > hold then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', math.ceil(tonumber(ARGV[3]) * 1000))
return 1
"""

_clients: dict[str, redis.Redis] = {}
_local_windows: dict[str, LocalWindow] = {}
_lock = threading.Lock()
_redis_down_logged = False


def _redis() -> redis.Redis:
    url = settings.GOTO_API_BUDGET_REDIS_URL
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            _clients[url] = client
        return client


def budget_redis() -> redis.Redis:
    """The Redis the budget lives in (its usage counts too, ``sync.usage``): short timeouts."""
    return _redis()


def _local_window(key: str) -> LocalWindow:
    with _lock:
        window = _local_windows.get(key)
        if window is None:
            window = LocalWindow(
                calls=settings.GOTO_API_CALLS_PER_SECOND,
                window=settings.GOTO_API_BUDGET_WINDOW_SECONDS,
                slow_seconds=settings.GOTO_API_SLOWDOWN_SECONDS,
            )
            _local_windows[key] = window
        return window


def _note_redis_down(exc: Exception) -> None:
    global _redis_down_logged
    if not _redis_down_logged:
        logger.warning("API budget: Redis does not answer (%s); this process keeps its own.", exc)
        _redis_down_logged = True


class SharedBudget:
    """The budget of one token owner at one priority (a ``gotomeeting.budget.CallBudget``)."""

    def __init__(
        self,
        owner: str,
        *,
        priority: Priority = Priority.INTERACTIVE,
        sleep: Callable[[float], None] = time.sleep,
    ):
        prefix = f"{settings.GOTO_API_BUDGET_KEY_PREFIX}:{owner}"
        self.keys = (f"{prefix}:sent", f"{prefix}:hold", f"{prefix}:slow")
        self.owner = owner
        self.priority = priority
        self.reserve = (
            settings.GOTO_API_BACKGROUND_HEADROOM if priority is Priority.BACKGROUND else 0
        )
        self._sleep = sleep

    def _try_take(self) -> float:
        global _redis_down_logged
        try:
            answer = _redis().eval(
                _TAKE,
                3,
                *self.keys,
                settings.GOTO_API_CALLS_PER_SECOND,
                settings.GOTO_API_BUDGET_WINDOW_SECONDS,
                self.reserve,
                uuid.uuid4().hex,
            )
        except redis.RedisError as exc:
            _note_redis_down(exc)
            return _local_window(self.owner).try_take(reserve=self.reserve)
        _redis_down_logged = False
        return float(answer)

    def acquire(self, *, max_wait: float | None = None) -> float:
        return wait_for_room(self._try_take, max_wait=max_wait, sleep=self._sleep)

    def throttled(self, retry_after: float | None) -> None:
        hold = retry_after if retry_after and retry_after > 0 else 1.0
        try:
            _redis().eval(
                _THROTTLE,
                2,
                self.keys[1],
                self.keys[2],
                hold,
                0.5,
                settings.GOTO_API_SLOWDOWN_SECONDS,
            )
        except redis.RedisError as exc:
            _note_redis_down(exc)
            _local_window(self.owner).hold(hold)


def budget_for(owner_id: int | str, *, priority: Priority) -> SharedBudget:
    """The shared budget of the GoTo token held by portal user ``owner_id``."""
    return SharedBudget(f"user-{owner_id}", priority=priority)
