"""How much data each ``--size`` generates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SizeProfile:
    """Knobs of the generator for one size."""

    name: str
    ordinary_organizers: int  # generated organizers spread over the ordinary groups
    big_group_organizers: int  # organizers in "Field Sales" (always > 50)
    target_instances: int  # past meeting instances over the last 365 days
    mean_attendees: float  # mean attendee rows per instance
    suspended: int  # generated organizers that are suspended
    pending: int  # generated organizers that never confirmed (no key)
    live_meetings: int  # meetings running at the anchor
    # Only for sizes whose history is generated on demand (see sandbox/lazy_history.py):
    extra_ordinary_groups: int = 0  # ordinary groups added to the fixed ones
    extra_big_groups: tuple[int, ...] = ()  # sizes of big groups added to "Field Sales"
    lazy_history: bool = False  # history made per organizer and day when asked, never stored


SIZES: dict[str, SizeProfile] = {
    "small": SizeProfile("small", 12, 52, 160, 5.0, 2, 2, 2),
    "demo": SizeProfile("demo", 40, 55, 2000, 9.0, 4, 3, 3),
    "large": SizeProfile("large", 240, 55, 12000, 13.0, 12, 8, 3),
    # 5,000 organizers in 40 groups: 29 ordinary groups of at most 45 (1,200 organizers) and
    # 10 big ones of 217-600 (3,797, "Field Sales" the largest), the top group holding the 3
    # demo users. About 1M meeting instances and 10M attendee rows a year, never materialised:
    # ``target_instances`` is what the per-organizer rates of lazy_history.py add up to.
    "enterprise": SizeProfile(
        "enterprise",
        1200,
        600,
        1_000_000,
        11.5,
        100,
        50,
        12,
        extra_ordinary_groups=23,
        extra_big_groups=(520, 480, 420, 380, 340, 300, 280, 260, 217),
        lazy_history=True,
    ),
}
