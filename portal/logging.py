"""Log formatting for the portal: a request id on every line, secrets never, JSON in production.

Settings wire these to the root handler (``LOGGING`` in portal/settings.py):

- :class:`ContextFilter` adds ``request_id`` (the web request, or the request that enqueued
  the running Celery task), and ``task_id`` / ``task_name`` inside a task.
- :class:`RedactingFilter` blanks tokens, passwords and client secrets in every message.
  Some libraries log them at DEBUG: requests-oauthlib logs the whole token dict ("Adding token
  {...} to request.") and the request headers with ``Authorization: Bearer ...``.
- :class:`JsonFormatter` writes one JSON object per line (``LOG_JSON=true``, the production
  default); :class:`GunicornAccessJsonFormatter` does the same for gunicorn's access log.

Both filters change the record in place, so every handler after the root handler sees the
cleaned record too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from portal.request_context import current_request_id

REDACTED = "[REDACTED]"

# Names whose values are secrets, wherever they appear: dict reprs ('access_token': 'x'),
# JSON ("password": "x"), form bodies and query strings (refresh_token=x&...).
SECRET_NAMES = (
    "access_token",
    "refresh_token",
    "id_token",
    "token_secret",
    "client_secret",
    "code_verifier",
    "password",
    "passwd",
    "secret",
)
_NAMED_SECRET = re.compile(
    r"(?P<key>[\"']?\b(?:" + "|".join(SECRET_NAMES) + r")\b[\"']?\s*[:=]\s*)"
    r"(?:(?P<quote>[\"'])(?P<quoted>.*?)(?P=quote)|(?P<bare>[^\s&,;}\]\"']+))",
    re.IGNORECASE,
)
# HTTP credentials in headers: "Authorization: Bearer x", "'Authorization': 'Basic x'".
_AUTH_SCHEME = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every token, password and credential value replaced by [REDACTED]."""
    if not text:
        return text

    def named(match: re.Match) -> str:
        quote = match.group("quote") or ""
        return f"{match.group('key')}{quote}{REDACTED}{quote}"

    text = _NAMED_SECRET.sub(named, text)
    return _AUTH_SCHEME.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Blank secrets in a record's message (and its formatted exception) before any output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the formatter to report
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            cleaned = redact(text)
            if cleaned != text:
                # Keep only the cleaned text: formatters would format exc_info again.
                record.exc_text, record.exc_info = cleaned, None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class ContextFilter(logging.Filter):
    """Add ``request_id`` to every record, and ``task_id`` / ``task_name`` inside a task."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        task = _current_task()
        if task is not None and not getattr(record, "task_id", None):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


def _current_task():
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = get_current_task()
    if task is None or getattr(task.request, "id", None) is None:
        return None
    return task


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then extras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# gunicorn's access log hands its "atoms" to the logger as the record's args; these are the
# ones worth a field. Request headers (cookies, Authorization) are never copied.
_ACCESS_FIELDS = {
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "h": "remote_addr",
    "a": "user_agent",
    "{x-request-id}o": "request_id",
}


class GunicornAccessJsonFormatter(JsonFormatter):
    """gunicorn's access log as JSON: method, path, status, duration_ms, request id."""

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, Mapping) else {}
        for atom, field in _ACCESS_FIELDS.items():
            value = atoms.get(atom)
            if value not in (None, "-", ""):
                log_data[field] = value
        if "D" in atoms:
            log_data["duration_ms"] = round(int(atoms["D"]) / 1000, 1)
        if atoms.get("q"):
            log_data["query"] = redact(str(atoms["q"]))
        if "m" in atoms:
            log_data["message"] = f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"
