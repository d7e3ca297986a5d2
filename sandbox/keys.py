"""Deterministic 64-bit keys for generated and created objects.

A key is derived from ``(seed, kind, counter)`` by hashing, so the n-th meeting
created after a reset always gets the same id for the same seed. Counters live in
the state, so keys stay unique across restarts.
"""

from __future__ import annotations

import hashlib

# (low, high) bounds per kind of key; all fit in a signed 64-bit integer.
KEY_RANGES: dict[str, tuple[int, int]] = {
    "organizer": (1_000_000_000_000_000_000, 9_000_000_000_000_000_000),
    "meeting": (100_000_000, 999_999_999),  # 9-digit meeting ids, as GoTo shows them
    "instance": (100_000_000_000_000, 999_999_999_999_999),
    "session": (10_000_000_000, 99_999_999_999),
}


class KeyGen:
    """Hands out keys per kind, never the same one twice (it remembers what it gave)."""

    def __init__(
        self,
        seed: int,
        counters: dict[str, int] | None = None,
        ranges: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        self.seed = seed
        self.counters: dict[str, int] = dict(counters or {})
        self.used: set[int] = set()
        # A size whose history is generated on demand keeps the low end of some ranges for
        # the keys it derives (sandbox/lazy_history.py), so counted keys never meet them.
        self.ranges = {**KEY_RANGES, **(ranges or {})}

    def reserve(self, key: int) -> None:
        """Mark a key taken (fixed keys, keys loaded from a state file)."""
        self.used.add(key)

    def next(self, kind: str) -> int:
        """The next key of ``kind``."""
        low, high = self.ranges[kind]
        while True:
            n = self.counters.get(kind, 0)
            self.counters[kind] = n + 1
            digest = hashlib.blake2b(f"{self.seed}:{kind}:{n}".encode(), digest_size=8).digest()
            key = low + int.from_bytes(digest, "big") % (high - low)
            if key not in self.used:
                self.used.add(key)
                return key
