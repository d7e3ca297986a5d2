"""The periods a digest covers and when each is due, in the subscriber's own time zone.

A weekly digest covers the last whole week (Monday to Sunday) and is due on Monday from
``DIGEST_SEND_HOUR`` (07:00) local time; a monthly one covers the last whole month and is due
on the 1st from the same hour. Beat runs the task hourly, so each subscriber's digest leaves
within the hour after 07:00 in their zone; a worker that was down catches up later the same
day (the rest of that day is the window). Nothing is due on another day: a subscriber who
joins on a Wednesday gets their first digest the next Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from .models import Frequency


@dataclass(frozen=True)
class Period:
    frequency: str
    start: date
    end: date  # inclusive

    def previous(self) -> Period:
        return period_before(self.frequency, self.start)

    @property
    def label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return f"{self.start:%B %Y}"
        return f"week of {self.start:%d %b %Y} – {self.end:%d %b %Y}"


def period_before(frequency: str, day: date) -> Period:
    """The last whole period that ends before the period holding ``day``."""
    if frequency == Frequency.MONTHLY:
        end = day.replace(day=1) - timedelta(days=1)
        return Period(frequency, end.replace(day=1), end)
    monday = day - timedelta(days=day.weekday())
    return Period(frequency, monday - timedelta(days=7), monday - timedelta(days=1))


def is_due(frequency: str, local_now: datetime) -> bool:
    """Whether a digest of ``frequency`` is due at ``local_now`` (the subscriber's wall clock)."""
    if local_now.hour < settings.DIGEST_SEND_HOUR:
        return False
    if frequency == Frequency.MONTHLY:
        return local_now.day == 1
    return local_now.weekday() == 0
