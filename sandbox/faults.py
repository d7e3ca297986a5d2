"""Switchable faults: rate limiting, 5xx answers, latency, expired tokens, scripted failures."""

from __future__ import annotations

import math
import random
import threading
from collections import deque
from dataclasses import asdict, dataclass, field

FAULT_FIELDS = (
    "rate_limit",
    "rate_limit_per_second",
    "error_rate",
    "latency_ms",
    "expire_tokens",
    "fail_next",
)


@dataclass
class Faults:
    """The current fault settings (``GET/POST /_sandbox/faults``)."""

    rate_limit: bool = True
    rate_limit_per_second: int = 10
    error_rate: float = 0.0
    latency_ms: int = 0
    expire_tokens: bool = False
    fail_next: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def validated_update(self, payload: object) -> dict:
        """Check a partial update; the cleaned values, or ``ValueError`` with the reason."""
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(payload) - set(FAULT_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        clean: dict = {}
        for name in ("rate_limit", "expire_tokens"):
            if name in payload:
                if not isinstance(payload[name], bool):
                    raise ValueError(f"{name} must be true or false")
                clean[name] = payload[name]
        for name, low in (("rate_limit_per_second", 1), ("latency_ms", 0)):
            if name in payload:
                value = payload[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < low:
                    raise ValueError(f"{name} must be an integer >= {low}")
                clean[name] = value
        if "error_rate" in payload:
            value = payload["error_rate"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("error_rate must be a number between 0 and 1")
            if not 0 <= value <= 1:
                raise ValueError("error_rate must be a number between 0 and 1")
            clean["error_rate"] = float(value)
        if "fail_next" in payload:
            codes = payload["fail_next"]
            if not isinstance(codes, list) or not all(
                isinstance(c, int) and not isinstance(c, bool) and 400 <= c <= 599 for c in codes
            ):
                raise ValueError("fail_next must be a list of status codes 400..599")
            clean["fail_next"] = list(codes)
        return clean


class ErrorPicker:
    """Decides whether an API answer is replaced by a 5xx, and which one (502, 503, 504 in turn)."""

    CYCLE = (502, 503, 504)

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"faults:{seed}")
        self._turn = 0
        self._lock = threading.Lock()

    def pick(self, rate: float) -> int | None:
        with self._lock:
            if rate <= 0 or self._rng.random() >= rate:
                return None
            status = self.CYCLE[self._turn % len(self.CYCLE)]
            self._turn += 1
            return status


class RateLimiter:
    """At most ``limit`` admitted requests per key in any sliding 1-second window."""

    WINDOW = 1.0

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str, limit: int, now: float) -> int | None:
        """``None`` when admitted, else the whole seconds to wait (``Retry-After``, >= 1)."""
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.WINDOW:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + self.WINDOW - now))
            hits.append(now)
            return None

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()
