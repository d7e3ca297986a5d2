"""Typed errors for everything that can go wrong talking to GoToMeeting."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .parsing import parse_retry_after

_EXCERPT_LENGTH = 200
_CODE_FIELDS = ("int_err_code", "errorCode", "error_code", "error", "code")
_MESSAGE_FIELDS = ("msg", "message", "error_description", "description", "errorMessage")


class ApiError(Exception):
    """An error answer from the API or the way to it: HTTP status, API error code, message."""

    def __init__(self, status: int | None, code: str | None, message: str):
        super().__init__(status, code, message)
        self.status = status
        self.code = code
        self.message = message

    def __str__(self) -> str:
        label = " ".join(
            part for part in (self.status and f"HTTP {self.status}", self.code) if part
        )
        return f"{label}: {self.message}" if label else self.message

    def __reduce__(self):
        return (type(self), (self.status, self.code, self.message))


class InvalidRequest(ApiError):
    """400: the API refused the input (missing field, bad date, range too long…)."""


class Unauthorized(ApiError):
    """The token is invalid or expired and cannot be refreshed, or the OAuth server said no."""


class Forbidden(ApiError):
    """403 other than an invalid token: the user may not do this (e.g. AccessDenied)."""


class NotFound(ApiError):
    """404: no such meeting, organizer or group."""


class Conflict(ApiError):
    """409: the thing already exists (e.g. an organizer with this email)."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` is the wait the server asked for, if any."""

    def __init__(
        self, status: int | None, code: str | None, message: str, retry_after: float | None = None
    ):
        super().__init__(status, code, message)
        self.retry_after = retry_after

    def __reduce__(self):
        return (type(self), (self.status, self.code, self.message, self.retry_after))


class ServerError(ApiError):
    """5xx from the API or a proxy in front of it."""


class TransportError(ApiError):
    """No usable HTTP answer: connection error or timeout, after any retries.

    Its message never names the host, port or URL (it may be shown to people); the transport
    logs those for operators.
    """


class OutcomeUnknown(ApiError):
    """A write (POST, PUT, DELETE) may or may not have been done at GoTo.

    Raised instead of a TransportError or a gateway error (502, 504) when a try of the write may
    have reached the server before the answer was lost or the deadline passed: the caller must
    look the object up (or reconcile later) before telling anyone what happened, and must never
    send a create again blindly. ``status`` is the last HTTP status seen, if any.
    """


class UnexpectedResponse(ApiError):
    """A success status whose body is not what the API documents (not JSON, wrong shape)."""


def error_from_response(
    status: int, text: str, headers: Mapping[str, str] | None = None
) -> ApiError:
    """Return the typed error for an HTTP error answer; never fails on a non-JSON body."""
    code, message = error_code_and_message(status, text)
    if status == 429:
        retry_after = parse_retry_after((headers or {}).get("Retry-After"))
        return RateLimited(status, code, message, retry_after)
    return _error_class(status, code)(status, code, message)


def error_code_and_message(status: int, text: str) -> tuple[str | None, str]:
    """Return the API error code and message from an error body (JSON or not)."""
    body = _json_object(text)
    if body is None:
        return None, excerpt(text) or f"HTTP {status} with no readable body"
    code = _first_text(body, _CODE_FIELDS)
    message = _first_text(body, _MESSAGE_FIELDS) or excerpt(text)
    return code, message


def is_invalid_token(error: ApiError) -> bool:
    """Say whether the API refused the access token itself (GoTo: 403 ``InvalidToken``)."""
    if error.status == 401:
        return True
    return error.status == 403 and (error.code or "").lower() == "invalidtoken"


def is_route_missing(error: ApiError) -> bool:
    """Say whether a 404 is about the path itself (no API error body), not a missing key."""
    return isinstance(error, NotFound) and error.code is None


def _error_class(status: int, code: str | None) -> type[ApiError]:
    if status == 401 or (status == 403 and (code or "").lower() == "invalidtoken"):
        return Unauthorized
    by_status = {400: InvalidRequest, 403: Forbidden, 404: NotFound, 409: Conflict}
    if status in by_status:
        return by_status[status]
    if status >= 500:
        return ServerError
    return ApiError


def excerpt(text: str) -> str:
    """Return a short, single-line, tag-free excerpt of a body for an error message."""
    without_scripts = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text or "")
    plain = " ".join(re.sub(r"<[^>]*>", " ", without_scripts).split())
    if len(plain) <= _EXCERPT_LENGTH:
        return plain
    return plain[: _EXCERPT_LENGTH - 1] + "…"


def _json_object(text: str) -> dict | None:
    try:
        body = json.loads(text)
    except (TypeError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _first_text(body: dict, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = body.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None
