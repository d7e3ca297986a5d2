"""History queries may span at most 60 days: split longer ranges, merge the answers."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from .parsing import require_aware

MAX_WINDOW_DAYS = 60

Item = TypeVar("Item")


def split_windows(
    start: datetime, end: datetime, max_days: int = MAX_WINDOW_DAYS
) -> list[tuple[datetime, datetime]]:
    """Return consecutive ``(start, end)`` windows of at most ``max_days`` covering the range."""
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        raise ValueError(
            f"The date range is empty: end {end.isoformat()} is not after start "
            f"{start.isoformat()}."
        )
    if max_days <= 0:
        raise ValueError("max_days must be positive")
    step = timedelta(days=max_days)
    windows = []
    window_start = start
    while window_start < end:
        window_end = min(window_start + step, end)
        windows.append((window_start, window_end))
        window_start = window_end
    return windows


def unique_by(items: Iterable[Item], key: Callable[[Item], Hashable | None]) -> list[Item]:
    """Return ``items`` in order without repeats of ``key``; items whose key is None all stay."""
    seen: set[Hashable] = set()
    unique = []
    for item in items:
        identity = key(item)
        if identity is not None:
            if identity in seen:
                continue
            seen.add(identity)
        unique.append(item)
    return unique
