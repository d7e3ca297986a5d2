"""API budget benchmark: how much of GoTo's 10 calls/s per token the sync spends, how fast 4
workers on one token back-fill, and how long a year's back-fill of ``enterprise`` takes.

    python bench/api_budget.py [--sizes demo,large,enterprise] [--rate 100] [--seconds 25]

1. **Calls per hour at the default cadences**, for each size: the sandbox runs with its rate
   limit off; each sync area's service (``sync.services``: organizers, history, attendees,
   scheduled, live) runs once to fill the cache, then once more, and the second pass is
   counted by the sandbox (``/_sandbox/stats``, every HTTP request it answered). History is
   back-filled ``BACKFILL_DAYS`` only (a year of ``enterprise`` would take hours to store):
   its second pass is the incremental one (from the cursor less the overlap), the steady
   state. Calls per pass × passes per hour (``SYNC_<AREA>_EVERY_SECONDS``; attendees run on
   the history cadence, as the beat schedule has it) = calls per hour, against 36,000/h; and
   how soon a started meeting shows as live at the real limit (the live cadence and its pass
   at the background share of 10/s). Targets for enterprise: ≤ 50% and ≤ 2 minutes.
2. **A year's back-fill of enterprise at 10/s**: the calls counted from the sync's own window
   splitting (``gotomeeting.windows.split_windows``, 60-day windows) and what one window takes
   per group, as the history sync makes it: a group of at most 50 organizers one history and
   one attendees call; a bigger one both per organizer (every organizer with a key: over 60
   days each hosts ~30 meetings, so this is close to an upper bound). Not measured by storing
   a year (hours); checked against a real back-fill of two sample groups.
3. **Back-fill throughput**: ``--workers`` processes (default 4), one token, each running
   ``group_history_sync`` over its own big groups of the last sandbox size through the shared
   budget (``sync.budget.SharedBudget``, background priority) with the sandbox's limit and the
   portal's ``GOTO_API_CALLS_PER_SECOND`` both at ``--rate``; for ``--seconds``. Achieved
   calls/s while all workers ran, as a share of the limit (target ≥ 90%), and the share of
   the sandbox's answers that were 429 (target ≤ 1%).

Results: ``bench/results/api_budget.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import bootstrap

    bootstrap()

from bench.common import (  # noqa: E402
    ROOT,
    bench_database,
    bench_environment,
    django_setup,
    fmt_ratio,
    log,
    publish,
    table,
)

HOURLY_BUDGET = 36_000  # GoTo: 10 requests per second per token
REAL_RATE = 10
TARGET_SHARE = 0.5  # enterprise at the default cadences: at most half the budget
TARGET_LIVE_SECONDS = 120  # a started meeting shows as live within 2 minutes
TARGET_THROUGHPUT = 0.9
TARGET_429 = 0.01
BACKFILL_DAYS = 1  # what the first history pass stores (its second pass is what counts)
YEAR_DAYS = 365
GROUP_CALL_MAX = 50  # GoTo refuses group-scoped calls for groups of more organizers
AREAS = ("organizers", "history", "attendees", "scheduled", "live")
ADMIN_EMAIL = "admin@acme.example"


def _point_settings_at(sandbox, *, rate: int) -> None:
    from django.conf import settings

    for name, value in sandbox.portal_settings().items():
        setattr(settings, name, value)
    settings.SYNC_BACKFILL_DAYS = BACKFILL_DAYS
    settings.GOTO_API_CALLS_PER_SECOND = rate


def _cadence_seconds(area: str) -> int:
    """How often the beat schedule runs ``area`` (attendees: with the history)."""
    from django.conf import settings

    name = f"SYNC_{area.upper()}_EVERY_SECONDS"
    if hasattr(settings, name):
        return int(getattr(settings, name))
    return int(settings.SYNC_HISTORY_EVERY_SECONDS)


def _client(sandbox, *, on_call=None, budget=None):
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    return GoToMeetingClient(
        api_base_url=sandbox.api_base_url,
        oauth=oauth_config(),
        token=sandbox.token_for(ADMIN_EMAIL),
        on_call=on_call,
        budget=budget,
    )


def _service(area: str, client):
    from sync import services

    return {
        "organizers": lambda: services.organizers_sync(client=client, triggered_by="bench"),
        "history": lambda: services.history_sync(client=client, triggered_by="bench"),
        "attendees": lambda: services.attendees_sync(client=client, triggered_by="bench"),
        "scheduled": lambda: services.scheduled_sync(client=client, triggered_by="bench"),
        "live": lambda: services.live_sync(client=client, triggered_by="bench"),
    }[area]


def _pass(area: str, client, sandbox, operations: list[str]) -> dict:
    sandbox.reset_stats()
    mark = len(operations)
    started = time.perf_counter()
    run = _service(area, client)()
    seconds = time.perf_counter() - started
    if run.outcome != "success":
        raise RuntimeError(f"{area} ended {run.outcome}: {run.error}")
    by_operation: dict[str, int] = {}
    for operation in operations[mark:]:
        by_operation[operation] = by_operation.get(operation, 0) + 1
    return {
        "calls": sandbox.stats()["api_total"],
        "seconds": round(seconds, 2),
        "by_operation": dict(sorted(by_operation.items())),
    }


def measure_size(size: str, sandbox) -> dict:
    """Each area's calls per pass (the second, steady-state pass) and per hour.

    The live and history passes ask only where data can change (``sync.activity``), with
    slower sweeps of everyone, so their steady state is not one pass: live counts the mean
    pass over one whole sweep plus a pass that rechecks live meetings and recent hosts (every
    ``activity.RECHECK``); history counts its incremental pass and, spread over the passes of
    ``SYNC_HISTORY_SWEEP_SECONDS``, the full pass of big groups; scheduled runs after the live
    sweep (which then covers the organizers of groups over 50) once more, as in steady state.
    """
    operations: list[str] = []
    client = _client(sandbox, on_call=lambda record: operations.append(record.operation))
    areas = {}
    for area in AREAS:
        first = _pass(area, client, sandbox, operations)
        steady = _pass(area, client, sandbox, operations)
        every = _cadence_seconds(area)
        per_hour = steady["calls"] * 3600 / every
        extra: dict = {}
        if area == "live":
            steady, per_hour, extra = _live_steady(steady, client, sandbox, operations, every)
        elif area == "history":
            steady, per_hour, extra = _history_steady(steady, client, sandbox, operations, every)
        areas[area] = {
            "every_seconds": every,
            "first_pass": first,
            "steady_pass": steady,
            **extra,
            "calls_per_hour": round(per_hour),
        }
        log(
            f"budget {size}: {area}: {first['calls']} calls (first pass, {first['seconds']} s), "
            f"{steady['calls']} (steady, {steady['seconds']} s) every {every} s "
            f"= {per_hour:,.0f}/h"
        )
    # In steady state the live sweep has covered the big groups' organizers, which the
    # scheduled pass then leaves to it: its steady pass is the one after the sweep.
    scheduled = areas["scheduled"]
    scheduled["steady_pass"] = _pass("scheduled", client, sandbox, operations)
    scheduled["calls_per_hour"] = round(
        scheduled["steady_pass"]["calls"] * 3600 / scheduled["every_seconds"]
    )
    log(f"budget {size}: scheduled after the live sweep: {scheduled['steady_pass']['calls']} calls")
    total = sum(a["calls_per_hour"] for a in areas.values())
    return {
        "size": size,
        "areas": areas,
        "calls_per_hour": total,
        "share_of_budget": round(total / HOURLY_BUDGET, 4),
        "live_shown_within_seconds": _live_latency(areas["live"]),
    }


def _live_steady(steady: dict, client, sandbox, operations: list[str], every: int):
    """The mean live pass over one sweep, and a recheck pass's extra calls every RECHECK."""
    from django.core.cache import cache

    from sync import activity

    passes = [steady] + [
        _pass("live", client, sandbox, operations) for _ in range(activity.sweep_slices() - 1)
    ]
    mean = sum(p["calls"] for p in passes) / len(passes)
    cache.delete(activity.RECHECK_KEY)
    recheck = _pass("live", client, sandbox, operations)
    extra = max(0.0, recheck["calls"] - mean)
    per_hour = mean * 3600 / every + extra * 3600 / activity.RECHECK.total_seconds()
    worst = max(passes + [recheck], key=lambda p: p["calls"])
    return (
        worst,  # the latency counts the longest pass
        per_hour,
        {"sweep_passes": [p["calls"] for p in passes], "recheck_pass": recheck},
    )


def _history_steady(steady: dict, client, sandbox, operations: list[str], every: int):
    """Incremental passes and, once per SYNC_HISTORY_SWEEP_SECONDS, a full pass."""
    from django.conf import settings

    sweep = int(getattr(settings, "SYNC_HISTORY_SWEEP_SECONDS", every))
    passes = max(1, sweep // every)
    settings.SYNC_HISTORY_SWEEP_SECONDS = 0  # the next pass is a full one
    try:
        full = _pass("history", client, sandbox, operations)
    finally:
        settings.SYNC_HISTORY_SWEEP_SECONDS = sweep
    per_pass = ((passes - 1) * steady["calls"] + full["calls"]) / passes
    return steady, per_pass * 3600 / every, {"full_pass": full, "passes_per_sweep": passes}


def _window_calls(hosts: int, members: int, windows: int) -> tuple[int, int]:
    """History and attendee calls the history sync makes for ``windows`` windows of a group:
    one each a window, or one each per organizer with a key in a group of more than 50 (an
    upper bound for attendees: only hosts of a meeting in the window are asked)."""
    per_window = hosts if members > GROUP_CALL_MAX else 1
    return windows * per_window, windows * per_window


def _group_sizes(group) -> tuple[int, int]:
    from organizers.models import Organizer

    members = Organizer.objects.filter(group=group, deleted_at__isnull=True)
    return members.filter(organizer_key__isnull=False).count(), members.count()


def _background_rate() -> int:
    """Calls per second background sync gets at the real limit (less the interactive headroom)."""
    from django.conf import settings

    return REAL_RATE - int(getattr(settings, "GOTO_API_BACKGROUND_HEADROOM", 0))


def _live_latency(live: dict) -> int:
    """Worst case from a meeting's start to the live page showing it, at the real limit: a pass
    that just missed it, the wait for the next (the cadence, or back to back when a pass takes
    longer), and that pass. A lower bound: the other areas share the same calls."""
    pass_seconds = live["steady_pass"]["calls"] / _background_rate()
    return round(max(live["every_seconds"], pass_seconds) + pass_seconds)


def year_backfill_estimate(sandbox) -> dict:
    """Calls a year's back-fill makes, counted from the sync's window splitting and the group
    sizes in the cache (right after an organizers sync), checked against a real back-fill of
    two sample groups (the smallest ordinary group for a year, the smallest big group for one
    60-day window); and how long it takes at the real limit."""
    from django.utils import timezone

    from gotomeeting.windows import split_windows
    from organizers.models import Group
    from sync import services

    now = timezone.now()
    windows = len(split_windows(now - timedelta(days=YEAR_DAYS), now))
    groups = list(Group.objects.all())
    history_calls, attendee_calls = 0, 0
    for group in groups:
        history, attendees = _window_calls(*_group_sizes(group), windows)
        history_calls += history
        attendee_calls += attendees
    calls = history_calls + attendee_calls
    ordinary = min(
        (g for g in groups if _group_sizes(g)[1] <= GROUP_CALL_MAX and _group_sizes(g)[0] > 5),
        key=lambda g: _group_sizes(g)[1],
    )
    big = min(
        (g for g in groups if _group_sizes(g)[1] > GROUP_CALL_MAX), key=lambda g: _group_sizes(g)[1]
    )
    client = _client(sandbox)
    samples = []
    for group, days in ((ordinary, YEAR_DAYS), (big, 60)):
        counted = sum(_window_calls(*_group_sizes(group), windows if days > 60 else 1))
        sandbox.reset_stats()
        log(f"budget: back-fill of {group.name} for {days} days (a sample)…")
        since = timezone.now() - timedelta(days=days)
        services.group_history_sync(client=client, group=group, since=since, triggered_by="bench")
        samples.append(
            {
                "group": group.name,
                "organizers": _group_sizes(group)[1],
                "days": days,
                "counted_calls": counted,
                "measured_calls": sandbox.stats()["api_total"],
            }
        )
    return {
        "groups": len(groups),
        "windows_per_group": windows,
        "history_calls": history_calls,
        "attendee_calls": attendee_calls,
        "calls": calls,
        "samples": samples,
        "hours_at_10_per_s": round(calls / REAL_RATE / 3600, 2),
        "hours_at_background_share": round(calls / _background_rate() / 3600, 2),
    }


# --- Throughput: worker processes on one token ------------------------------------------------


def _worker(args) -> int:
    """One sync worker: history back-fills of its groups until ``--seconds`` have passed."""
    django_setup(args.db, migrate=False)
    from django.conf import settings
    from django.utils import timezone

    from organizers.models import Group
    from sandbox.testing import SandboxHandle
    from sync import services
    from sync.budget import Priority, SharedBudget

    sandbox = SandboxHandle(args.port)
    _point_settings_at(sandbox, rate=args.rate)
    settings.GOTO_API_BUDGET_KEY_PREFIX = args.prefix
    stamps: list[float] = []
    budget = SharedBudget(args.owner, priority=Priority.BACKGROUND)
    client = _worker_client(json.loads(args.token_json), sandbox, stamps, budget)
    groups = list(Group.objects.filter(group_key__in=[int(k) for k in args.groups.split(",")]))
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.time()
    deadline = time.monotonic() + args.seconds
    passes = 0
    while time.monotonic() < deadline:
        group = groups[passes % len(groups)]
        since = timezone.now() - timedelta(days=1)
        services.group_history_sync(client=client, group=group, since=since, triggered_by="bench")
        passes += 1
    print(json.dumps({"started": started, "stamps": stamps, "passes": passes}), flush=True)
    return 0


def _worker_client(token: dict, sandbox, stamps: list[float], budget):
    """The worker's client on the token every worker shares (one token, one budget)."""
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    return GoToMeetingClient(
        api_base_url=sandbox.api_base_url,
        oauth=oauth_config(),
        token=token,
        on_call=lambda record: stamps.append(time.time()),
        budget=budget,
        max_retries=20,
        max_retry_seconds=120,
    )


def throughput(sandbox, db_url: str, *, workers: int, rate: int, seconds: float) -> dict:
    """``workers`` processes back-filling big groups on one token at ``rate`` calls/s."""
    import redis
    from django.conf import settings

    from organizers.models import Group

    big = [
        str(g.group_key)
        for g in Group.objects.filter(num_organizers__gt=GROUP_CALL_MAX).order_by("name")
    ]
    if len(big) < workers:
        big = [str(g.group_key) for g in Group.objects.order_by("-num_organizers", "name")]
    shares = [big[i::workers] for i in range(workers)]
    token = sandbox.token_for(ADMIN_EMAIL)
    owner = f"bench-{os.getpid()}"
    prefix = f"{settings.GOTO_API_BUDGET_KEY_PREFIX}-bench-{os.getpid()}"
    sandbox.faults(rate_limit=True, rate_limit_per_second=rate)
    env = {**os.environ, **bench_environment(db_url), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", "--db", db_url]
    command += ["--port", str(sandbox.port), "--owner", owner, "--prefix", prefix]
    command += ["--rate", str(rate), "--seconds", str(seconds), "--token-json", json.dumps(token)]
    processes = [
        subprocess.Popen(
            [*command, "--groups", ",".join(share)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("a throughput worker did not start")
        sandbox.reset_stats()
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, _ = process.communicate(timeout=seconds + 300)
            if process.returncode != 0:
                raise RuntimeError(f"a throughput worker failed ({process.returncode})")
            results.append(json.loads(out.strip().splitlines()[-1]))
        stats = sandbox.stats()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        sandbox.faults(rate_limit=False)
        try:
            client = redis.Redis.from_url(settings.GOTO_API_BUDGET_REDIS_URL)
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass
    return _throughput_figures(results, stats, rate=rate, workers=workers)


def _throughput_figures(results: list[dict], stats: dict, *, rate: int, workers: int) -> dict:
    stamps = sorted(t for r in results for t in r["stamps"])
    all_from = max(min(r["stamps"]) for r in results if r["stamps"])
    all_until = min(max(r["stamps"]) for r in results if r["stamps"])
    together = [t for t in stamps if all_from <= t <= all_until]
    span = all_until - all_from
    achieved = len(together) / span if span > 0 else 0.0
    busiest, j = 0, 0
    for i, at in enumerate(stamps):  # the most calls answered in any 1-second window
        while stamps[j] <= at - 1.0:
            j += 1
        busiest = max(busiest, i - j + 1)
    answered = stats["api_total"]
    throttled = stats["statuses"].get("429", 0)
    return {
        "workers": workers,
        "limit_per_second": rate,
        "calls": len(stamps),
        "seconds_all_workers_busy": round(span, 2),
        "calls_per_second": round(achieved, 1),
        "share_of_limit": round(achieved / rate, 4),
        "most_calls_in_one_second": busiest,
        "sandbox_answers": answered,
        "answers_429": throttled,
        "share_429": round(throttled / answered, 4) if answered else 0.0,
        "passes": [r["passes"] for r in results],
    }


# --- Report ------------------------------------------------------------------------------------


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


def report(data: dict) -> str:
    rows = []
    for size in data["sizes"]:
        areas = size["areas"]
        target = ""
        if size["size"] == "enterprise":
            target = _ok(size["share_of_budget"] <= TARGET_SHARE) + "/"
            target += _ok(size["live_shown_within_seconds"] <= TARGET_LIVE_SECONDS)
        rows.append(
            [
                size["size"],
                *(f"{areas[a]['calls_per_hour']:,}" for a in AREAS),
                f"{size['calls_per_hour']:,}",
                fmt_ratio(size["share_of_budget"]),
                size["live_shown_within_seconds"],
                target,
            ]
        )
    lines = [
        "API budget: calls per hour the sync makes at the default cadences (steady state: a pass "
        f"right after a pass; sandbox rate limit off), against {HOURLY_BUDGET:,}/h (10/s)",
        table(
            [
                *(["size"] + [f"{a} /h" for a in AREAS]),
                "total /h",
                "share",
                "live shown within s",
                "targets ≤50% / ≤120 s",
            ],
            rows,
        ),
    ]
    detail = []
    for size in data["sizes"]:
        for area in AREAS:
            one = size["areas"][area]
            detail.append(
                [
                    size["size"],
                    area,
                    one["every_seconds"],
                    one["steady_pass"]["calls"],
                    one["first_pass"]["calls"],
                    ", ".join(
                        f"{op.removeprefix('get_')} {n}"
                        for op, n in one["steady_pass"]["by_operation"].items()
                    ),
                ]
            )
    lines += [
        "",
        table(
            ["size", "area", "every s", "calls/pass", "first pass", "steady pass by operation"],
            detail,
        ),
    ]
    year = data.get("enterprise_year_backfill")
    if year:
        lines += [
            "",
            f"A year's back-fill of enterprise: {year['calls']:,} calls ({year['groups']} groups × "
            f"{year['windows_per_group']} windows of ≤60 days; {year['history_calls']:,} history + "
            f"{year['attendee_calls']:,} attendee calls, counted from the window splitting): "
            f"{year['hours_at_10_per_s']} h at 10/s ({year['hours_at_background_share']} h at the "
            f"{_background_rate()}/s background sync keeps after the interactive headroom). "
            "Checked on samples: "
            + "; ".join(
                f"{s['group']} ({s['organizers']} organizers, {s['days']} days): counted "
                f"{s['counted_calls']}, made {s['measured_calls']}"
                for s in year["samples"]
            ),
        ]
    tp = data.get("throughput")
    if tp:
        lines += [
            "",
            table(
                [
                    "back-fill throughput",
                    "limit /s",
                    "calls/s (all busy)",
                    "share of limit",
                    "429 share",
                    "most in 1 s",
                    "targets ≥90% / ≤1%",
                ],
                [
                    [
                        f"{tp['workers']} workers, one token, {tp['seconds_all_workers_busy']} s",
                        tp["limit_per_second"],
                        tp["calls_per_second"],
                        fmt_ratio(tp["share_of_limit"]),
                        fmt_ratio(tp["share_429"]),
                        tp["most_calls_in_one_second"],
                        f"{_ok(tp['share_of_limit'] >= TARGET_THROUGHPUT)}/"
                        f"{_ok(tp['share_429'] <= TARGET_429)}",
                    ]
                ],
            ),
        ]
    return "\n".join(lines)


def run(args) -> dict:
    from sandbox.testing import running_sandbox

    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    data: dict = {"sizes": [], "backfill_days": BACKFILL_DAYS}
    with bench_database("_budget") as db_url:
        django_setup(db_url)
        from django.core.management import call_command

        for number, size in enumerate(sizes):
            call_command("flush", interactive=False, verbosity=0)
            log(f"budget: sandbox --size {size}…")
            with running_sandbox(size=size, rate_limit=False, startup_timeout=600) as sandbox:
                _point_settings_at(sandbox, rate=10_000)
                data["sizes"].append(measure_size(size, sandbox))
                if size == "enterprise":
                    data["enterprise_year_backfill"] = year_backfill_estimate(sandbox)
                if number == len(sizes) - 1 and args.seconds > 0:
                    log(
                        f"budget: throughput, {args.workers} workers on one token at "
                        f"{args.rate}/s for {args.seconds} s (--size {size})…"
                    )
                    data["throughput"] = {
                        "size": size,
                        **throughput(
                            sandbox,
                            db_url,
                            workers=args.workers,
                            rate=args.rate,
                            seconds=args.seconds,
                        ),
                    }
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,large,enterprise")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=int, default=100, help="limit of the throughput run")
    parser.add_argument("--seconds", type=float, default=25, help="throughput run (0: none)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--owner", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--groups", help=argparse.SUPPRESS)
    parser.add_argument("--token-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    started = time.monotonic()
    data = run(args)
    data["seconds"] = round(time.monotonic() - started, 1)
    publish("api_budget", data, report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
