"""A meeting's attendee rows, written in Python.

The attendees page shows 50 rows; Django's template engine spent about a third of a cold
page on them (two dates, a duration and two defaults per row: bench/). Here a row is one
f-string, in the active time zone, with the same HTML the template wrote. Names and emails
come from GoTo and go through :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import Attendee
from .templatetags.meetings_tags import minutes

NONE = "—"


def attendee_rows(attendees: Iterable[Attendee]) -> SafeString:
    """The ``<tr>`` of each attendee: name, email, joined, left, time attended."""
    tz = timezone.get_current_timezone()
    return mark_safe("".join(_row(a, tz) for a in attendees))  # noqa: S308 (escaped)


def _local(value: datetime, tz) -> datetime:
    return value.astimezone(tz) if timezone.is_aware(value) else value


def _row(a: Attendee, tz) -> str:
    joined = f"{_local(a.join_time, tz):%Y-%m-%d %H:%M}" if a.join_time else ""
    left = f"{_local(a.leave_time, tz):%H:%M}" if a.leave_time else NONE
    return (
        f"<tr><td>{escape(a.name) or NONE}</td><td>{escape(a.email) or NONE}</td>"
        f"<td>{joined}</td><td>{left}</td><td>{minutes(a.duration_minutes)}</td></tr>\n"
    )
