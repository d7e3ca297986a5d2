"""Sync benchmark: a full first sync and an incremental sync of the sandbox (``--size large``),
beside a raw ``bulk_create`` of the same rows into the same database.

    python bench/sync_speed.py [--size large] [--rounds 3] [--keep-db]

Three rounds, each a full sync from an empty portal followed by the raw ``bulk_create`` of the
rows it wrote; the round of the median ratio counts (the shared machine's speed drifts: the
two are timed side by side rather than one sync against baselines timed after it).

The sandbox runs on a free loopback port with its rate limit off
(``sandbox.testing.running_sandbox``). The sync is the portal's own: the services in
``sync/services/`` (organizers, history, attendees, as ``manage.py sync`` runs them) with a
real ``GoToMeetingClient`` built as the tests build it; every API call is logged through the
client's ``on_call`` hook. Rows written are counted in the database after each step, so the
numbers hold whichever step writes which rows.

Prints meetings/s and attendee rows/s of the full sync and of a raw ``bulk_create`` of the
same rows (same tables, same indexes) and their ratio; the API calls of each step; and the
history calls per group of the incremental sync. Results: ``bench/results/sync.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import bootstrap

    bootstrap()

from bench.common import (  # noqa: E402
    bench_database,
    django_setup,
    fmt_ratio,
    log,
    publish,
    table,
    verdict,
)

TARGET_RATIO = 0.5
ROUNDS = 3
STEPS = ("organizers", "history", "attendees")


def _point_settings_at(sandbox) -> None:
    from django.conf import settings

    for name, value in sandbox.portal_settings().items():
        setattr(settings, name, value)
    # Reach the oldest meeting the sandbox holds (a year back).
    settings.SYNC_BACKFILL_DAYS = 370
    # The sandbox runs without its rate limit here, and so does the portal's API budget: this
    # measures the write path against a raw bulk_create, not GoTo's 10 calls per second.
    settings.GOTO_API_CALLS_PER_SECOND = 10_000


class CallLog:
    """Every API call the client makes (its ``on_call`` hook): operation and path."""

    def __init__(self) -> None:
        self.records: list = []

    def __call__(self, record) -> None:
        self.records.append(record)

    def mark(self) -> int:
        return len(self.records)

    def api_seconds(self, since: int) -> float:
        """Time spent waiting on the API (the sandbox's answers) since ``since``."""
        return sum(record.duration_ms for record in self.records[since:]) / 1000

    def by_operation(self, since: int) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self.records[since:]:
            counts[record.operation] = counts.get(record.operation, 0) + 1
        return dict(sorted(counts.items()))

    def history_calls_per_group(self, since: int) -> dict[str, int]:
        """Meeting-history calls (group-scoped, or one per organizer) counted per group."""
        from organizers.models import Group, Organizer

        groups = dict(Group.objects.values_list("group_key", "name"))
        organizer_group = dict(
            Organizer.objects.filter(organizer_key__isnull=False).values_list(
                "organizer_key", "group__name"
            )
        )
        calls: dict[str, int] = {}
        for record in self.records[since:]:
            parts = record.path.strip("/").split("/")
            if "historical" not in record.operation:
                continue
            if parts[0] == "groups" and len(parts) > 1:
                name = groups.get(int(parts[1]), parts[1])
            elif parts[0] == "organizers" and len(parts) > 1:
                name = organizer_group.get(int(parts[1])) or "(no group)"
            else:
                name = "(own meetings)"
            calls[name] = calls.get(name, 0) + 1
        return dict(sorted(calls.items()))


def _client(sandbox, calls: CallLog):
    """A real API client for the sandbox's account admin (as ``tests/conftest.py`` builds it)."""
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    return GoToMeetingClient(
        api_base_url=sandbox.api_base_url,
        oauth=oauth_config(),
        token=sandbox.token_for("admin@acme.example"),
        on_call=calls,
    )


def _rows() -> tuple[int, int]:
    from meetings.models import Attendee, MeetingInstance

    return MeetingInstance.objects.count(), Attendee.objects.count()


def _step(name: str, call, calls: CallLog) -> dict:
    log(f"sync: {name}…")
    mark = calls.mark()
    instances_before, attendees_before = _rows()
    started = time.perf_counter()
    run = call()
    seconds = time.perf_counter() - started
    instances_after, attendees_after = _rows()
    if run.outcome != "success":
        raise RuntimeError(f"{name} ended {run.outcome}: {run.error}")
    step = {
        "seconds": round(seconds, 3),
        "api_calls": calls.mark() - mark,
        "api_seconds": round(calls.api_seconds(mark), 3),
        "calls_by_operation": calls.by_operation(mark),
        "instances_written": instances_after - instances_before,
        "attendees_written": attendees_after - attendees_before,
        "run_rows_created": run.rows_created,
        "run_rows_updated": run.rows_updated,
    }
    log(
        f"sync: {name}: {step['instances_written']} instances, {step['attendees_written']} "
        f"attendee rows, {step['api_calls']} API calls in {seconds:.1f} s"
    )
    return step


def _sync_round(client, calls: CallLog, label: str) -> dict:
    from sync import services

    mark = calls.mark()
    steps = {
        "organizers": _step(
            f"{label} organizers",
            lambda: services.organizers_sync(client=client, triggered_by="bench"),
            calls,
        ),
        "history": _step(
            f"{label} history",
            lambda: services.history_sync(client=client, triggered_by="bench"),
            calls,
        ),
        "attendees": _step(
            f"{label} attendees",
            lambda: services.attendees_sync(client=client, limit=0, triggered_by="bench"),
            calls,
        ),
    }
    return {
        **steps,
        "seconds": round(sum(step["seconds"] for step in steps.values()), 3),
        "api_seconds": round(calls.api_seconds(mark), 3),
        "api_calls": calls.mark() - mark,
        "calls_by_operation": calls.by_operation(mark),
        "history_calls_per_group": calls.history_calls_per_group(mark),
        "instances_written": sum(step["instances_written"] for step in steps.values()),
        "attendees_written": sum(step["attendees_written"] for step in steps.values()),
    }


def _raw_bulk_create() -> dict:
    """Re-insert the rows the sync wrote with plain ``bulk_create`` (same rows, same tables,
    same indexes, one transaction per table): the baseline of the round."""
    from django.db import connection, transaction

    from meetings.models import Attendee, MeetingInstance

    instances = list(MeetingInstance.objects.order_by("id"))
    attendees = list(Attendee.objects.order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {Attendee._meta.db_table}, {MeetingInstance._meta.db_table} CASCADE"
        )
    started = time.perf_counter()
    with transaction.atomic():
        MeetingInstance.objects.bulk_create(instances, batch_size=1000)
    t_instances = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        Attendee.objects.bulk_create(attendees, batch_size=1000)
    t_attendees = time.perf_counter() - started
    return {
        "instances": len(instances),
        "attendees": len(attendees),
        "instances_seconds": round(t_instances, 3),
        "attendees_seconds": round(t_attendees, 3),
        "seconds": round(t_instances + t_attendees, 3),
    }


def _rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds > 0 else 0.0


def _empty_portal() -> None:
    """Every table of the portal emptied (``manage.py flush``): the next round syncs from
    nothing again, into the same database and the same sandbox."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def run(*, size: str, keep_db: bool, rounds: int = ROUNDS) -> dict:
    """``rounds`` rounds of a full sync from nothing, each followed by the raw bulk_create of
    the rows it wrote (the first one also by an incremental sync); the round of the median
    ratio counts. The sync and its baseline are timed side by side, round after round, so a
    change in the shared machine's speed weighs on both: one sync against a median of three
    baselines timed after it moved the ratio by ±10 points between runs (2026-12-04)."""
    from sandbox.testing import running_sandbox

    with bench_database("_sync", keep=keep_db) as db_url:
        django_setup(db_url)
        log(f"sync: starting the sandbox (--size {size} --no-rate-limit)…")
        t0 = time.perf_counter()
        with running_sandbox(seed=1, size=size, rate_limit=False, startup_timeout=600) as sandbox:
            log(f"sync: sandbox up in {time.perf_counter() - t0:.1f} s on {sandbox.base_url}")
            _point_settings_at(sandbox)
            calls = CallLog()
            client = _client(sandbox, calls)
            done: list[dict] = []
            incremental: dict = {}
            for number in range(1, rounds + 1):
                if number > 1:
                    _empty_portal()
                label = f"full ({number}/{rounds})"
                full = _sync_round(client, calls, label)
                if not incremental:
                    incremental = _sync_round(client, calls, "incremental")
                log(f"sync: raw bulk_create of the same rows ({number}/{rounds})…")
                raw = _raw_bulk_create()
                done.append({"full": full, "raw": raw, "ratio": raw["seconds"] / full["seconds"]})
    ranked = sorted(done, key=lambda one: one["ratio"])
    median = ranked[len(ranked) // 2]
    return {
        "size": size,
        "full": median["full"],
        "incremental": incremental,
        "raw": median["raw"],
        "rounds": [
            {
                "sync_seconds": one["full"]["seconds"],
                "raw_seconds": one["raw"]["seconds"],
                "instances_written": one["full"]["instances_written"],
                "attendees_written": one["full"]["attendees_written"],
                "ratio": round(one["ratio"], 3),
            }
            for one in done
        ],
    }


def report(data: dict) -> str:
    full, inc, raw = data["full"], data["incremental"], data["raw"]
    ratio = raw["seconds"] / full["seconds"] if full["seconds"] else None
    # The portal's own part: the sync's time less its wait on the API's answers.
    own_seconds = max(full["seconds"] - full["api_seconds"], 0.001)
    own_ratio = raw["seconds"] / own_seconds
    summary = {
        "sync_seconds": full["seconds"],
        "raw_seconds": raw["seconds"],
        "sync_meetings_per_s": _rate(raw["instances"], full["seconds"]),
        "sync_attendee_rows_per_s": _rate(raw["attendees"], full["seconds"]),
        "raw_meetings_per_s": _rate(raw["instances"], raw["seconds"]),
        "raw_attendee_rows_per_s": _rate(raw["attendees"], raw["seconds"]),
        "ratio": ratio,
        "api_seconds": full["api_seconds"],
        "own_seconds": round(own_seconds, 3),
        "own_ratio": own_ratio,
    }
    per_group = inc["history_calls_per_group"]
    over = {name: n for name, n in per_group.items() if n > 1}
    summary["incremental_history_calls_per_group"] = per_group
    summary["incremental_groups_over_one_call"] = over
    data["summary"] = summary
    step_rows = []
    for label, sync in (("full", full), ("incremental", inc)):
        for name in STEPS:
            step = sync[name]
            step_rows.append(
                [
                    f"{label} {name}",
                    step["seconds"],
                    step["api_calls"],
                    step["api_seconds"],
                    step["instances_written"],
                    step["attendees_written"],
                    ", ".join(
                        f"{op.removeprefix('get_')} {n}"
                        for op, n in step["calls_by_operation"].items()
                    ),
                ]
            )
    lines = [
        f"Sync of the sandbox (--size {data['size']}): {raw['instances']:,} meeting instances, "
        f"{raw['attendees']:,} attendee rows",
        table(
            [
                "writes",
                "seconds",
                "meetings/s",
                "attendee rows/s",
                "vs raw bulk_create",
                "target 50%",
            ],
            [
                [
                    "full sync (organizers + history + attendees), the median round",
                    full["seconds"],
                    summary["sync_meetings_per_s"],
                    summary["sync_attendee_rows_per_s"],
                    fmt_ratio(ratio),
                    verdict(ratio, TARGET_RATIO),
                ],
                [
                    f"… less its {full['api_seconds']:.1f} s waiting on the API",
                    round(own_seconds, 3),
                    _rate(raw["instances"], own_seconds),
                    _rate(raw["attendees"], own_seconds),
                    fmt_ratio(own_ratio),
                    verdict(own_ratio, TARGET_RATIO),
                ],
                [
                    "raw bulk_create of the same rows, in the same round",
                    raw["seconds"],
                    summary["raw_meetings_per_s"],
                    summary["raw_attendee_rows_per_s"],
                    "100%",
                    "",
                ],
            ],
        ),  # fmt: skip
        "",
        table(
            [
                "step",
                "seconds",
                "API calls",
                "waiting on API s",
                "instances written",
                "attendee rows written",
                "calls by operation",
            ],
            step_rows,
        ),  # fmt: skip
        "Rounds (a full sync from nothing, then the raw bulk_create of its rows): "
        + "; ".join(
            f"{one['sync_seconds']:g} s against {one['raw_seconds']:g} s, {fmt_ratio(one['ratio'])}"
            for one in data.get("rounds", [])
        ),
        f"Incremental sync with nothing new: {inc['api_calls']} API calls; history: "
        f"{sum(per_group.values())} calls for {len(per_group)} groups; "
        + (
            "at most one per group: ok"
            if not over
            else "more than one for "
            + ", ".join(f"{name} ({n})" for name, n in sorted(over.items()))
            + " (a group of more than 50 organizers is asked per organizer: the API refuses "
            "group-scoped calls for it): MISSED"
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", help="sandbox size (small, demo, large)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database")
    parser.add_argument(
        "--rounds", type=int, default=ROUNDS, help="full syncs, each beside its baseline"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    data = run(size=args.size, keep_db=args.keep_db, rounds=args.rounds)
    publish("sync", data, report(data))  # report() first: it adds the summary to data
    return 0


if __name__ == "__main__":
    sys.exit(main())
