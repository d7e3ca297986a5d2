"""Every call sent to GoTo, counted per hour, per sync area and per operation, in Redis.

GoTo's limit is per token and per second (``GOTO_API_CALLS_PER_SECOND``): to see where the
budget goes, every process on every machine adds to the same counts. The client's ``on_send``
hook (:func:`count_api_call`, wired in ``accounts.connections``) is told about every request
sent, retries included, as GoTo counts them; a 429 answer is counted apart as well.

- **The area** is the sync area whose run is going on (:func:`counted_as`, set by the sync's
  run bookkeeping for the length of a run) or ``interactive`` for everything else: an Admin's
  suspend, an import, the sign-in's admin check, a manager's "Refresh now" is a sync run and
  counts as its area.
- **The store**: one Redis hash per UTC hour (``<budget prefix>:usage:<YYYYMMDDHH>``), fields
  ``<area>|<operation>|calls`` and ``<area>|<operation>|429``, in the Redis of the budget
  (``GOTO_API_BUDGET_REDIS_URL``), kept ``KEEP_HOURS``. One pipelined round trip per call (an
  HINCRBY and an EXPIRE), beside the budget's own.
- **Failing soft**: when Redis does not answer, the call is not counted, never failed; the next
  ``RETRY_AFTER_SECONDS`` do not even try (a dead Redis would otherwise cost every call its
  connect timeout). The Sync page then says the counts cannot be read.

The counts are the whole portal's, against one token's limit: every sync run uses the service
connection's token, while each Admin's clicks use their own token, so the share shown is an
upper bound of the sync token's own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings

from .budget import budget_redis

logger = logging.getLogger(__name__)

INTERACTIVE = "interactive"
KEEP_HOURS = 48
RETRY_AFTER_SECONDS = 30.0
_CALLS, _THROTTLED = "calls", "429"

_area: ContextVar[str] = ContextVar("goto_api_area", default=INTERACTIVE)
_down_until = 0.0
_down_lock = threading.Lock()


class UsageUnavailable(Exception):
    """The counts cannot be read (Redis does not answer)."""


@contextmanager
def counted_as(area: str) -> Iterator[None]:
    """Count the calls sent inside the block as ``area``'s (a sync area)."""
    token = enter_area(area)
    try:
        yield
    finally:
        leave_area(token)


def enter_area(area: str) -> Token[str]:
    """Count calls as ``area``'s until :func:`leave_area` (for a run's bookkeeping object)."""
    return _area.set(str(area))


def leave_area(token: Token[str]) -> None:
    _area.reset(token)


def current_area() -> str:
    """The area calls sent now are counted as."""
    return _area.get()


def _key(hour: datetime) -> str:
    return f"{settings.GOTO_API_BUDGET_KEY_PREFIX}:usage:{hour:%Y%m%d%H}"


def _hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def count_api_call(operation: str, status: int | None) -> None:
    """The client's ``on_send`` hook: count one request sent (and a 429 apart). Never raises."""
    global _down_until
    if time.monotonic() < _down_until:
        return
    key = _key(_hour_of(datetime.now(UTC)))
    field = f"{_area.get()}|{operation}"
    try:
        pipe = budget_redis().pipeline(transaction=False)
        pipe.hincrby(key, f"{field}|{_CALLS}", 1)
        if status == 429:
            pipe.hincrby(key, f"{field}|{_THROTTLED}", 1)
        pipe.expire(key, KEEP_HOURS * 3600)
        pipe.execute()
    except redis.RedisError as exc:
        with _down_lock:
            if time.monotonic() >= _down_until:
                logger.warning("API usage: Redis does not answer (%s); calls are not counted.", exc)
            _down_until = time.monotonic() + RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class OperationUsage:
    area: str
    operation: str
    calls: int
    throttled: int  # answered 429


@dataclass(frozen=True)
class HourUsage:
    hour: datetime  # the hour's start (UTC)
    operations: tuple[OperationUsage, ...]

    @property
    def calls(self) -> int:
        return sum(row.calls for row in self.operations)

    @property
    def throttled(self) -> int:
        return sum(row.throttled for row in self.operations)


def usage_by_hour(*, hours: int = 24, now: datetime | None = None) -> list[HourUsage]:
    """The counts of the last ``hours`` hours, the current one first (it is still filling).

    Raises :class:`UsageUnavailable` when Redis does not answer: a page says so rather than
    showing zeros that would read as "no calls".
    """
    current = _hour_of(now or datetime.now(UTC))
    starts = [current - timedelta(hours=n) for n in range(hours)]
    try:
        pipe = budget_redis().pipeline(transaction=False)
        for start in starts:
            pipe.hgetall(_key(start))
        answers = pipe.execute()
    except redis.RedisError as exc:
        raise UsageUnavailable(str(exc)) from exc
    return [HourUsage(start, _rows(answer)) for start, answer in zip(starts, answers, strict=True)]


def _rows(answer: dict[bytes, bytes]) -> tuple[OperationUsage, ...]:
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for raw_field, raw_value in answer.items():
        area, _, rest = raw_field.decode().partition("|")
        operation, _, kind = rest.rpartition("|")
        counts.setdefault((area, operation), {})[kind] = int(raw_value)
    return tuple(
        OperationUsage(area, operation, kinds.get(_CALLS, 0), kinds.get(_THROTTLED, 0))
        for (area, operation), kinds in sorted(counts.items())
    )
