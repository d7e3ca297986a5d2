"""``make bench``: the dashboard, growth, sync, API budget and export benchmarks in turn,
then their tables together. Needs PostgreSQL and Redis on loopback (``BENCH_PG_URL``, default
postgres://postgres@127.0.0.1:5432/test, where each script creates and drops its own
``portal_bench_<pid>`` database; ``REDIS_URL``).

    python bench/run_all.py [--quick] [--enterprise] [--seconds 4]
        [--only dashboard,growth,sync,budget,xlsx]

``--quick`` runs toy sizes (a minute or two) to try the set-up. Exit status: non-zero when a
script failed; a missed target is reported, not an error. Results: ``bench/results/*.json``
and ``bench/results/summary.md`` (the tables, for the README).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS_DIR, maintenance_url, pg_available  # noqa: E402


def _commands(args) -> dict[str, list[str]]:
    py = sys.executable
    if args.quick:
        return {
            "dashboard": [
                py,
                "bench/dashboard.py",
                "--attendees",
                "20000",
                "--seconds",
                "2",
                "--rounds",
                "1",
            ],
            "growth": [py, "bench/growth.py", "--sizes", "2000,20000", "--repeat", "2"],
            "sync": [py, "bench/sync_speed.py", "--size", "small"],
            "budget": [py, "bench/api_budget.py", "--sizes", "demo", "--seconds", "5"],
            "xlsx": [py, "bench/xlsx_export.py", "--rows", "20000"],
        }
    commands = {
        "dashboard": [py, "bench/dashboard.py", "--seconds", str(args.seconds)],
        "growth": [py, "bench/growth.py"],
        "sync": [py, "bench/sync_speed.py", "--size", "large"],
        # demo, large and enterprise, then 4 workers on one token for 25 s: about 3 minutes.
        "budget": [py, "bench/api_budget.py"],
        # 1M attendee rows as Excel and as CSV, each in a fresh process (peak RSS).
        "xlsx": [py, "bench/xlsx_export.py", "--rows", "1000000"],
    }
    if args.enterprise:
        # 10M attendee rows, 1M instances, 5,000 organizers: loading them with COPY took
        # 396 s and their roll-ups 198 s on 2 cores, more than make bench's 15 minutes allow
        # beside the rest, so this size runs on request (make bench-enterprise).
        commands["growth"] = [py, "bench/growth.py", "--sizes", "1000000,10000000"]
    return commands


def _redis_ok() -> bool:
    from urllib.parse import urlsplit

    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if urlsplit(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="toy sizes, to try the set-up")
    parser.add_argument("--seconds", type=float, default=4, help="length of each load run")
    parser.add_argument(
        "--only", default="", help="comma-separated: dashboard,growth,sync,budget,xlsx"
    )
    parser.add_argument(
        "--enterprise",
        action="store_true",
        help="growth up to 10M attendee rows (5,000 organizers): about 15 minutes more",
    )
    args = parser.parse_args(argv)

    if not pg_available():
        print(
            f"make bench needs PostgreSQL: nothing answers at {maintenance_url()}", file=sys.stderr
        )
        return 2
    if not _redis_ok():
        print("make bench needs Redis on loopback (REDIS_URL)", file=sys.stderr)
        return 2
    commands = _commands(args)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        commands = {name: cmd for name, cmd in commands.items() if name in wanted}

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    outputs: dict[str, str] = {}
    failed: list[str] = []
    started = time.monotonic()
    for name, command in commands.items():
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        t0 = time.monotonic()
        # Progress lines (stderr) go straight to the terminal; the table (stdout) is kept.
        result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        print(result.stdout, end="", flush=True)
        print(f"== {name}: {time.monotonic() - t0:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(name)
        outputs[name] = result.stdout.strip()
    total = time.monotonic() - started

    summary = "\n\n".join(
        "\n".join(line for line in text.splitlines() if not line.startswith("(results:"))
        for text in outputs.values()
        if text
    )
    (RESULTS_DIR / "summary.md").write_text(summary + f"\n\n(total {total / 60:.1f} min)\n")
    print("\n" + "=" * 30 + " summary " + "=" * 30)
    print(summary)
    print(f"\nmake bench: {total / 60:.1f} min; results in {RESULTS_DIR}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
