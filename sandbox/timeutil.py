"""Time helpers: the sandbox stores and sends instants as ISO 8601 UTC strings with ``Z``.

All stored timestamps use the one fixed format ``YYYY-MM-DDTHH:MM:SSZ`` so that they
compare correctly as plain strings (range filters need no parsing).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_epoch() -> float:
    """Seconds since the epoch, now."""
    return time.time()


def iso(epoch: float) -> str:
    """Format epoch seconds as ``2026-07-01T22:00:00Z``."""
    return time.strftime(ISO_FORMAT, time.gmtime(int(epoch)))


def now_iso() -> str:
    """The current instant in the stored format."""
    return iso(now_epoch())


def floor_minute(epoch: float) -> int:
    """Epoch seconds rounded down to the whole minute."""
    return int(epoch) // 60 * 60


def parse_iso(text: str) -> int:
    """Parse an ISO 8601 instant into epoch seconds.

    Accepts ``Z``, ``+00:00``, ``+0000`` and fractional seconds; a value without an
    offset is taken as UTC. Raises ``ValueError`` for anything else.
    """
    value = text.strip()
    if not value or "T" not in value:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())
