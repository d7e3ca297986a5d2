"""Start-up settings of a sandbox process (filled from the command line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SandboxSettings:
    host: str = "127.0.0.1"
    port: int = 8765
    seed: int = 1
    size: str = "demo"
    state_path: Path | None = None
    reset: bool = False
    anchor: int | None = None  # epoch seconds; default: now, rounded down to the minute
    rate_limit: bool = True
    rate_limit_per_second: int = 10
    error_rate: float = 0.0
    latency_ms: int = 0
    expire_tokens: bool = False
    token_ttl: int = 3600
    log_requests: bool = False
