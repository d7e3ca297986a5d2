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


SIZES: dict[str, SizeProfile] = {
    "small": SizeProfile("small", 12, 52, 160, 5.0, 2, 2, 2),
    "demo": SizeProfile("demo", 40, 55, 2000, 9.0, 4, 3, 3),
    "large": SizeProfile("large", 240, 55, 12000, 13.0, 12, 8, 3),
}
