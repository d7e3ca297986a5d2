"""All HTTP to the API: the OAuth2 session, token refresh, retries and call accounting.

Every operation has a total deadline, retries included: each try's connect and read timeouts are
cut to the time left, and a retry is started only when, after its wait, at least
``MIN_TRY_SECONDS`` remain. A write whose try may have reached the server before its answer was
lost ends in :class:`~gotomeeting.errors.OutcomeUnknown`, never in an error that reads as
"nothing happened".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests_oauthlib import OAuth2Session

from .budget import CallBudget, Unlimited
from .errors import (
    ApiError,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    TransportError,
    error_from_response,
    is_invalid_token,
)
from .parsing import parse_retry_after
from .retry_policy import (
    RetryPolicy,
    exception_may_be_retried,
    request_never_sent,
    status_may_be_retried,
)
from .secure_urls import insecure_transport_allowed_for, require_secure_url
from .token_keeper import TokenKeeper

logger = logging.getLogger(__name__)

JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A gateway answers 502 or 504 when the server behind it may already have acted; 503 means the
# request was not handled, and 429 that it was not processed.
MAY_HAVE_ACTED_STATUSES = frozenset({502, 504})
# A try given less time than this would only time out: no retry starts with less left.
MIN_TRY_SECONDS = 0.5


@dataclass(frozen=True)
class CallRecord:
    """One API operation as it went, for structured logging (never holds a token)."""

    operation: str
    method: str
    path: str
    status: int | None
    duration_ms: float
    retries: int


class _GoToSession(OAuth2Session):
    """An OAuth2Session whose own auto-refresh goes through the keeper's locked refresh.

    requests-oauthlib refreshes by itself only when its clock says the token has expired, and
    then sends the client credentials in the body without our lock. The transport refreshes
    60 s ahead, so this path is a safety net; routing it to the keeper keeps it correct.
    """

    def __init__(self, keeper: TokenKeeper, oauth_client_id: str, token_url: str):
        super().__init__(
            client_id=oauth_client_id,
            token=keeper.token,
            auto_refresh_url=token_url,
            token_updater=self._token_saved_by_keeper,
        )
        self._keeper = keeper
        self.headers.update(JSON_HEADERS)

    def refresh_token(self, token_url, refresh_token=None, body="", auth=None, **kwargs):
        """Refresh through the keeper (Basic auth, lock, token loader, token updater)."""
        self.token = self._keeper.refresh(stale_access_token=self.access_token)
        return self.token

    @staticmethod
    def _token_saved_by_keeper(token: dict) -> None:
        """The keeper has already handed the new token to the portal's token_updater."""


class Transport:
    """Sends API requests with the bearer token, refreshing and retrying as the rules allow."""

    def __init__(
        self,
        *,
        api_base_url: str,
        keeper: TokenKeeper,
        client_id: str,
        token_url: str,
        timeout: tuple[float, float],
        retry_policy: RetryPolicy,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_call: Callable[[CallRecord], None] | None = None,
        budget: CallBudget | None = None,
        on_send: Callable[[str, int | None], None] | None = None,
    ):
        self.api_base_url = require_secure_url(api_base_url, "api_base_url").rstrip("/")
        self.budget: CallBudget = budget or Unlimited()
        self.keeper = keeper
        self.retry_policy = retry_policy
        self.timeout = timeout
        self.deadline = deadline
        self.calls_made = 0
        self._sleep = sleep
        self._clock = clock
        self._on_call = on_call
        self._on_send = on_send
        self._session = _GoToSession(keeper, client_id, token_url)

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        creates: bool = False,
    ) -> requests.Response:
        """Send one API operation and return its successful answer, or raise a typed error.

        ``creates`` marks a POST that creates something: it is sent again only when the
        first try surely did not reach the server (no connection, or a 429).
        """
        now = self._clock()
        attempt = _Attempt(
            operation=operation,
            method=method,
            path=path,
            creates=creates,
            started=now,
            deadline_at=None if self.deadline is None else now + self.deadline,
        )
        try:
            return self._send_until_done(attempt, params, body)
        except ApiError as error:
            final = _final_error(attempt, error)
            if final is error:
                raise
            raise final from error
        finally:
            self._report(attempt)

    def _send_until_done(self, attempt: _Attempt, params, body) -> requests.Response:
        url = self.api_base_url + attempt.path
        while True:
            self.keeper.refresh_if_expiring()
            sent_token = self.keeper.access_token
            try:
                response = self._send_once(attempt, url, params, body)
            except requests.RequestException as error:
                self._sent(attempt, None)
                self._retry_after_exception(attempt, error)
                continue
            self._sent(attempt, response.status_code)
            attempt.status = response.status_code
            if response.status_code < 400:
                return response
            if attempt.method == "DELETE" and response.status_code == 404 and attempt.maybe_done:
                logger.info("%s: already gone after an earlier try reached the server.", url)
                return response
            error = error_from_response(response.status_code, response.text, response.headers)
            if is_invalid_token(error) and not attempt.refreshed:
                attempt.refreshed = True
                attempt.retries += 1
                self.keeper.refresh(stale_access_token=sent_token)
                continue
            self._retry_after_error_status(attempt, error, response)

    def _send_once(self, attempt: _Attempt, url: str, params, body) -> requests.Response:
        # Every request, retries included, draws from the token's budget first; a call that
        # cannot get one before its deadline is not sent (BudgetExhausted, a RateLimited).
        self.budget.acquire(max_wait=self._budget_wait_for(attempt))
        self._session.token = self.keeper.token
        self.calls_made += 1
        with insecure_transport_allowed_for(url):
            return self._session.request(
                attempt.method, url, params=params, json=body, timeout=self._timeout_for(attempt)
            )

    def _sent(self, attempt: _Attempt, status: int | None) -> None:
        """Tell the ``on_send`` hook about one request that went out (each try counts against
        GoTo's limit, a 429 included); a failing hook never fails the call."""
        if self._on_send is None:
            return
        try:
            self._on_send(attempt.operation, status)
        except Exception:
            logger.exception("The on_send hook failed for %s.", attempt.operation)

    def _budget_wait_for(self, attempt: _Attempt) -> float:
        """How long a try may wait for the budget: what the deadline leaves for waiting and the
        try itself, else the retry policy's total wait."""
        if attempt.deadline_at is None:
            return self.retry_policy.max_retry_seconds
        return max(attempt.deadline_at - self._clock() - MIN_TRY_SECONDS, 0.0)

    def _timeout_for(self, attempt: _Attempt) -> tuple[float, float]:
        """The connect and read timeouts of the next try, cut to the time the deadline leaves."""
        if attempt.deadline_at is None:
            return self.timeout
        left = max(attempt.deadline_at - self._clock(), 0.05)
        connect, read = self.timeout
        return (min(connect, left), min(read, left))

    def _retry_after_exception(self, attempt: _Attempt, error: requests.RequestException) -> None:
        attempt.status = None
        if not request_never_sent(error):
            attempt.maybe_done = True
        # The exception names the host and port: for the operators' log, never for a message.
        logger.info("%s %s: no answer (%s).", attempt.method, attempt.path, error)
        failure = TransportError(None, type(error).__name__, _describe(error))
        if not exception_may_be_retried(error, creates=attempt.creates):
            raise failure from error
        self._wait_or_raise(attempt, failure, retry_after=None, cause=error)

    def _retry_after_error_status(
        self, attempt: _Attempt, error: ApiError, response: requests.Response
    ) -> None:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429:
            self.budget.throttled(retry_after)  # every process on this token holds back
        if status in MAY_HAVE_ACTED_STATUSES:
            attempt.maybe_done = True
        if not status_may_be_retried(status, creates=attempt.creates):
            raise error
        self._wait_or_raise(attempt, error, retry_after=retry_after)

    def _wait_or_raise(
        self,
        attempt: _Attempt,
        error: ApiError,
        *,
        retry_after: float | None,
        cause: BaseException | None = None,
    ) -> None:
        wait = self.retry_policy.wait_before_retry(
            attempt.backoff_retries, attempt.seconds_waited, retry_after
        )
        if wait is None or not self._time_left_after(attempt, wait):
            raise error from cause
        logger.info(
            "%s %s failed (%s); retrying in %.2f s.", attempt.method, attempt.path, error, wait
        )
        self._sleep(wait)
        attempt.seconds_waited += wait
        attempt.backoff_retries += 1
        attempt.retries += 1

    def _time_left_after(self, attempt: _Attempt, wait: float) -> bool:
        """Say whether a try started after ``wait`` would still have time to finish."""
        if attempt.deadline_at is None:
            return True
        return self._clock() + wait + MIN_TRY_SECONDS <= attempt.deadline_at

    def _report(self, attempt: _Attempt) -> None:
        if self._on_call is None:
            return
        record = CallRecord(
            operation=attempt.operation,
            method=attempt.method,
            path=attempt.path,
            status=attempt.status,
            duration_ms=round((self._clock() - attempt.started) * 1000, 1),
            retries=attempt.retries,
        )
        try:
            self._on_call(record)
        except Exception:
            logger.exception("The on_call hook failed for %s.", attempt.operation)


@dataclass
class _Attempt:
    """The running state of one operation across its tries."""

    operation: str
    method: str
    path: str
    creates: bool
    started: float
    deadline_at: float | None = None
    status: int | None = None
    retries: int = 0
    backoff_retries: int = 0
    seconds_waited: float = 0.0
    refreshed: bool = False
    maybe_done: bool = False


def _final_error(attempt: _Attempt, error: ApiError) -> ApiError:
    """The error to raise: OutcomeUnknown for a write that may have been done, else ``error``.

    A refused, malformed or forbidden write (4xx) was judged by the server, so it stands; a
    timeout, a lost connection or a server/gateway error after a try that may have arrived
    leaves the outcome open.
    """
    open_ended = isinstance(error, TransportError | ServerError | RateLimited)
    if attempt.method in WRITE_METHODS and attempt.maybe_done and open_ended:
        return OutcomeUnknown(
            error.status,
            "OutcomeUnknown",
            f"{error.message} The request may have reached GoTo, so it may or may not have "
            "been done.",
        )
    return error


def _describe(error: requests.RequestException) -> str:
    """A sentence about a request that got no answer, without its host, port or URL."""
    if isinstance(error, requests.exceptions.Timeout):
        return "The request to GoTo timed out without an answer."
    return "The connection to GoTo failed before an answer came."
