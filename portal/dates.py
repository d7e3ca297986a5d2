"""The dates a person may enter: filters (dashboard, attendee report, meeting lists, audit log),
meeting times, and the moments in list cursors.

Python's dates end at year 1 and 9999, and a page turns a date into instants: the start of the
day after the last one, that day in the user's time zone, then UTC. At the edges of the
calendar that arithmetic overflows (``OverflowError``, a 500): ``end=9999-12-31``, or
``0001-01-01`` west of UTC. Nothing the portal holds is near those edges (GoToMeeting began in
2004; a meeting is planned months ahead, not millennia), so a date outside
:data:`EARLIEST_DATE` … :data:`LATEST_DATE` is a form error, with room to spare for every
time-zone shift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .escaping import html_attrs

EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)
OUT_OF_RANGE = (
    f"Enter a date between {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y} "
    f"and {LATEST_DATE.day} {LATEST_DATE:%B %Y}."
)


def in_supported_range(value: date | datetime) -> bool:
    """Whether ``value`` (a date, a wall-clock datetime, or an aware one, read in UTC) falls in
    :data:`EARLIEST_DATE` … :data:`LATEST_DATE`."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                return False
        value = value.date()
    return EARLIEST_DATE <= value <= LATEST_DATE


def validate_supported_date(value: date | datetime) -> None:
    if not in_supported_range(value):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")


def _bounds() -> dict[str, str]:
    return {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}


class DateInput(forms.DateInput):
    """A browser date picker that offers only the dates the field accepts.

    Written in Python with ``format_html``, as Django's ``input.html`` writes it (the same
    HTML, pinned by tests/portal/test_date_input.py): Django renders three templates per
    input, 111 µs against 59 here, and the history filters have two on every cold dashboard."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__({**_bounds(), **(attrs or {})}, format=format)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        shown = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            "" if shown is None else format_html(' value="{}"', shown),
            html_attrs(self.build_attrs(self.attrs, attrs)),
        )


class SupportedDateField(forms.DateField):
    """A date within :data:`EARLIEST_DATE` … :data:`LATEST_DATE`, else a form error."""

    widget = DateInput
    default_validators = [validate_supported_date]


class SupportedDateFilter(django_filters.DateFilter):
    """django-filter's date filter with :class:`SupportedDateField`."""

    field_class = SupportedDateField


# --- Values read with SQL, without the ORM's converters --------------------------------------


def sql_datetime(value: datetime | str | None) -> datetime | None:
    """A timestamp as read without the ORM: aware already on PostgreSQL, naive UTC text on
    SQLite."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def sql_date(value: date | str | None) -> date | None:
    """A date as read without the ORM: a ``date`` on PostgreSQL, ISO text on SQLite."""
    return date.fromisoformat(value) if isinstance(value, str) else value
