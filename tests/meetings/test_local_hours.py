"""The dashboard's meetings per local day and hour, moved from UTC quarter-hours into a viewer's
zone as arrays (:func:`meetings.rollups.local_hours`), are where each meeting's own start falls
on the viewer's clock: through DST changes (both ways, on either side of the Atlantic, and Lord
Howe's half-hour one), in half- and quarter-hour zones, and over a range crossing the year."""

from __future__ import annotations

import zlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from meetings.rollups import SLOTS, RollupRange, UtcSlots, local_hours

RANGES = [
    # (zone, first local day, last local day)
    ("America/New_York", "2026-03-01", "2026-03-15"),  # EST → EDT on 03-08
    ("America/New_York", "2026-10-25", "2026-11-08"),  # EDT → EST on 11-01
    ("America/New_York", "2025-06-01", "2026-05-31"),  # a year: both changes
    ("Europe/London", "2026-03-22", "2026-04-05"),  # GMT → BST on 03-29
    ("Europe/London", "2026-10-18", "2026-11-01"),  # BST → GMT on 10-25
    ("Europe/London", "2025-12-20", "2026-01-10"),  # across the new year
    ("America/New_York", "2025-12-25", "2026-01-05"),  # across the new year, behind UTC
    ("Australia/Sydney", "2025-12-20", "2026-01-10"),  # across the new year, in summer time
    ("Australia/Lord_Howe", "2026-03-29", "2026-04-12"),  # +11 → +10:30 on 04-05
    ("Australia/Lord_Howe", "2026-09-27", "2026-10-11"),  # +10:30 → +11 on 10-04
    ("Asia/Kolkata", "2026-02-01", "2026-03-31"),  # +5:30
    ("Asia/Kathmandu", "2025-12-01", "2026-01-31"),  # +5:45
    ("Pacific/Chatham", "2026-03-29", "2026-04-12"),  # +13:45 → +12:45 on 04-05
    ("UTC", "2025-12-30", "2026-01-02"),
]


def expected(counts: np.ndarray, first: date, tz: ZoneInfo, start: date, days: int):
    """Each quarter-hour's meetings on the viewer's clock, one moment at a time."""
    hours = np.zeros((days, 24), np.int64)
    midnight = datetime.combine(first, time.min, tzinfo=ZoneInfo("UTC"))
    for day, slot in zip(*np.nonzero(counts), strict=True):
        local = (midnight + timedelta(days=int(day), minutes=15 * int(slot))).astimezone(tz)
        hours[(local.date() - start).days, local.hour] += counts[day, slot]
    return hours


@pytest.mark.parametrize("density", [1.0, 0.3, 0.02])
@pytest.mark.parametrize(("zone", "first", "last"), RANGES)
def test_local_hours_are_each_starts_local_hour(zone, first, last, density):
    tz = ZoneInfo(zone)
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    days = (end - start).days + 1
    low = datetime.combine(start, time.min, tzinfo=tz)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    utc = RollupRange.inside(low, high)
    rng = np.random.default_rng(zlib.crc32(f"{zone} {first} {density}".encode()))
    shape = ((utc.last - utc.first).days + 1, SLOTS)
    counts = rng.integers(1, 50, shape) * (rng.random(shape) < density)

    hours = local_hours(UtcSlots(utc.first, counts), tz=tz, start=start, days=days)

    assert hours.counts.sum() == counts.sum()
    assert (hours.counts == expected(counts, utc.first, tz, start, days)).all()


def test_a_dst_change_moves_the_same_utc_hour_to_another_local_hour():
    # 13:00 UTC every day from Saturday 03-07 to Monday 03-09: 08:00 EST, then 09:00 EDT.
    tz = ZoneInfo("America/New_York")
    counts = np.zeros((3, SLOTS), np.int64)
    counts[:, 13 * 4] = 1
    hours = local_hours(UtcSlots(date(2026, 3, 7), counts), tz=tz, start=date(2026, 3, 6), days=5)
    assert dict(hours.items()) == {
        (date(2026, 3, 7), 8): 1,
        (date(2026, 3, 8), 9): 1,
        (date(2026, 3, 9), 9): 1,
    }


def test_an_empty_range_has_no_hours():
    hours = local_hours(
        UtcSlots(date(2026, 3, 7), np.zeros((3, SLOTS), np.int64)),
        tz=ZoneInfo("Europe/London"),
        start=date(2026, 3, 7),
        days=3,
    )
    assert not hours.counts.any()
