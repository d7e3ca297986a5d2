"""When a failed request may be sent again, and how long to wait first."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by a count and a total wait."""

    max_retries: int = 4
    max_retry_seconds: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    uniform: Callable[[float, float], float] = random.uniform

    def wait_before_retry(
        self, retries_done: int, seconds_waited: float, retry_after: float | None = None
    ) -> float | None:
        """Return how long to wait before the next try, or None when the budget is spent.

        A server's ``Retry-After`` is obeyed as given; when it asks for more than the time
        left, there is no retry (the caller raises, carrying ``retry_after``).
        """
        if retries_done >= self.max_retries:
            return None
        if retry_after is not None:
            wait = max(0.0, retry_after)
        else:
            ceiling = min(self.max_delay, self.base_delay * 2**retries_done)
            wait = self.uniform(0.0, ceiling)
        if seconds_waited + wait > self.max_retry_seconds:
            return None
        return wait


def status_may_be_retried(status: int, *, creates: bool) -> bool:
    """Say whether an answer with this status may be retried.

    429 means the request was not processed, so even a create may be sent again; a 502, 503
    or 504 may come after the server acted, so a create is never sent twice.
    """
    if status == 429:
        return True
    return status in RETRYABLE_STATUSES and not creates


def exception_may_be_retried(error: requests.RequestException, *, creates: bool) -> bool:
    """Say whether a request that failed without an answer may be sent again."""
    if isinstance(error, requests.exceptions.SSLError):
        return False
    if request_never_sent(error):
        return True
    transient = (
        requests.exceptions.ConnectionError,
        requests.exceptions.Timeout,
        requests.exceptions.ChunkedEncodingError,
    )
    return isinstance(error, transient) and not creates


def request_never_sent(error: BaseException) -> bool:
    """Say whether the failure happened before the request left (no connection was made)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    return any(
        isinstance(cause, NewConnectionError | ConnectTimeoutError) for cause in _causes(error)
    )


def _causes(error: BaseException, depth: int = 0):
    if depth > 5:
        return
    yield error
    nested = [*error.args, getattr(error, "reason", None), error.__cause__, error.__context__]
    for inner in nested:
        if isinstance(inner, BaseException) and inner is not error:
            yield from _causes(inner, depth + 1)
