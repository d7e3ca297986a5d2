"""Command line of ``python -m sandbox``."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from sandbox.config import SandboxSettings
from sandbox.sizes import SIZES
from sandbox.timeutil import parse_iso

LISTENING = "sandbox listening on"


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="A local GoToMeeting API + OAuth server with deterministic demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--size", choices=sorted(SIZES), default="demo", help="how much data")
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="JSON state file (loaded if present, written after every change); "
        "without it nothing is kept on disk",
    )
    parser.add_argument(
        "--reset", action="store_true", help="regenerate the data even if the state file exists"
    )
    parser.add_argument(
        "--anchor",
        default=None,
        help="ISO instant the timeline is anchored at (default: now, "
        "to the minute); same seed + size + anchor = same data",
    )
    parser.add_argument(
        "--no-rate-limit", action="store_true", help="switch off the 10 requests/second/token limit"
    )
    parser.add_argument("--rate-limit-per-second", type=int, default=10)
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        help="share (0..1) of API answers replaced by 502/503/504",
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="delay added to API answers")
    parser.add_argument(
        "--expire-tokens",
        action="store_true",
        help="treat every access token issued before start-up as expired",
    )
    parser.add_argument(
        "--token-ttl", type=int, default=3600, help="lifetime of access tokens in seconds"
    )
    parser.add_argument("--log-requests", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        parser.error("--error-rate must be between 0 and 1")
    anchor = None
    if args.anchor:
        try:
            anchor = parse_iso(args.anchor) // 60 * 60
        except ValueError:
            parser.error("--anchor must be an ISO 8601 instant, e.g. 2026-01-15T12:00:00Z")
    return SandboxSettings(
        host=args.host,
        port=args.port,
        seed=args.seed,
        size=args.size,
        state_path=args.state,
        reset=args.reset,
        anchor=anchor,
        rate_limit=not args.no_rate_limit,
        rate_limit_per_second=args.rate_limit_per_second,
        error_rate=args.error_rate,
        latency_ms=args.latency_ms,
        expire_tokens=args.expire_tokens,
        token_ttl=args.token_ttl,
        log_requests=args.log_requests,
    )


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    from sandbox.app import SandboxApp
    from sandbox.server import make_server

    app = SandboxApp(settings)
    server = make_server(app)
    signal.signal(signal.SIGTERM, _stop)
    print(f"{LISTENING} {app.base_url}", flush=True)
    print(
        f"sandbox: seed {settings.seed}, size {settings.size}, anchor {app.store.meta['anchor']}, "
        f"state {settings.state_path or '(not kept)'}",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        with app.store.lock:
            app.persist()
    print("sandbox stopped", file=sys.stderr, flush=True)
    return 0
