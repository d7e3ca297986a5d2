"""Growth benchmark: how the history dashboard's time grows with the data.

    python bench/growth.py [--sizes 10000,100000,1000000]

For each size (attendee rows; meeting instances = rows / 10) a generated account is loaded
into a fresh database with COPY, and the 1-year whole-account dashboard is requested
in-process (Django test ``Client``, an Admin's session cookie): with an empty cache (cold,
median of ``--repeat``) and again (warm). The organizers list and a meeting's attendees page
are timed the same way for comparison. Prints milliseconds, queries and the growth factor
between sizes; writes ``bench/results/growth.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import bootstrap

    bootstrap()

from bench.common import (  # noqa: E402
    admin_session,
    bench_database,
    clear_cache,
    django_setup,
    log,
    publish,
    table,
)


def _time_page(client, url: str, *, repeat: int, cold: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    slowest: list[dict] = []
    for _ in range(repeat):
        if cold:
            clear_cache()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries = len(captured.captured_queries)
        slowest = sorted(
            ({"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:200]}
             for q in captured.captured_queries),
            key=lambda q: -q["ms"],
        )[:3]  # fmt: skip
    return {
        "ms": round(statistics.median(times), 1),
        "all_ms": [round(t, 1) for t in times],
        "queries": queries,
        "slowest_sql": slowest,
    }


TARGET_SHAPE_P95_MS = 300
TARGET_GROWTH = 1.5
SHAPE_DAYS = (7, 90, 365)


def shape_urls() -> dict[str, str]:
    """The dashboard for every filter shape a manager explores: the whole account, one group
    tree (a top-level group with sub-groups), one organizer (the busiest); 7, 90 and 365 days."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from meetings.models import MeetingInstance
    from organizers.models import Group

    today = timezone.localdate()
    tree = Group.objects.filter(parent__isnull=True, children__isnull=False).order_by("pk").first()
    busiest = (
        MeetingInstance.objects.values("organizer_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organizer_id")
        .first()
    )
    scopes = {"account": "", "group tree": f"&group={tree.pk}"}
    if busiest and busiest["organizer_id"]:
        scopes["organizer"] = f"&organizer={busiest['organizer_id']}"
    base = reverse("meetings:dashboard")
    return {
        f"{scope}, {days} d": f"{base}?start={today - timedelta(days=days - 1)}&end={today}{extra}"
        for scope, extra in scopes.items()
        for days in SHAPE_DAYS
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)


def run(*, sizes: list[int], repeat: int, keep_db: bool) -> dict:
    from django.test import Client
    from django.urls import reverse

    from bench import dataset
    from bench.dashboard import page_urls

    points = []
    with bench_database("_growth", keep=keep_db) as db_url:
        django_setup(db_url)
        _user, session_key = admin_session()
        for rows in sizes:
            instances = max(100, rows // 10)
            log(f"growth: loading {instances} instances, {rows} attendee rows…")
            loaded = dataset.load(instances=instances, attendees=rows)
            urls = page_urls(loaded.showcase_instance_id)
            client = Client()
            client.cookies["sessionid"] = session_key
            client.get(urls["trivial"])
            point = {"attendee_rows": loaded.attendees, "instances": instances,
                     "organizers": loaded.organizers, "load_seconds": loaded.seconds,
                     "rollup_seconds": loaded.rollup_seconds}  # fmt: skip
            for name in ("dashboard", "organizers", "attendees"):
                point[name] = {
                    "cold": _time_page(client, urls[name], repeat=repeat, cold=True),
                    "warm": _time_page(client, urls[name], repeat=repeat, cold=False),
                }
            # The dashboard's organizer filter lists every organizer in a request of its own,
            # right after the page (portal.widgets.LazyOptionsSelect): timed here, cold.
            point["organizer_options"] = {
                "cold": _time_page(client, reverse("meetings:organizer_options"), repeat=repeat,
                                   cold=True),
            }  # fmt: skip
            point["shapes"] = {}
            for shape, url in shape_urls().items():
                timed = _time_page(client, url, repeat=max(repeat, 5), cold=True)
                timed["p95_ms"] = _p95(timed["all_ms"])
                point["shapes"][shape] = timed
            log(
                f"growth: {rows} rows: dashboard {point['dashboard']['cold']['ms']} ms cold, "
                f"{point['dashboard']['warm']['ms']} ms warm"
            )
            points.append(point)
    return {"sizes": sizes, "repeat": repeat, "points": points}


def report(data: dict) -> str:
    rows = []
    previous = None
    for point in data["points"]:
        dash = point["dashboard"]
        growth = (
            f"×{dash['cold']['ms'] / previous['dashboard']['cold']['ms']:.1f} for "
            f"×{point['attendee_rows'] / previous['attendee_rows']:.0f} rows"
            if previous and previous["dashboard"]["cold"]["ms"]
            else "—"
        )
        rows.append(
            [
                f"{point['attendee_rows']:,}",
                f"{point['instances']:,}",
                dash["cold"]["ms"],
                dash["warm"]["ms"],
                f"{dash['cold']['queries']}/{dash['warm']['queries']}",
                growth,
                point["organizers"]["cold"]["ms"],
                point["attendees"]["cold"]["ms"],
                point.get("organizer_options", {}).get("cold", {}).get("ms", "—"),
            ]
        )
        previous = point
    shapes = [
        [f"{point['attendee_rows']:,}", shape, timed["ms"], timed["p95_ms"], timed["queries"],
         "ok" if timed["p95_ms"] <= TARGET_SHAPE_P95_MS else "MISSED"]
        for point in data["points"]
        for shape, timed in point.get("shapes", {}).items()
    ]  # fmt: skip
    last = data["points"][-2:]
    if len(last) == 2 and last[0]["dashboard"]["cold"]["ms"]:
        factor = last[1]["dashboard"]["cold"]["ms"] / last[0]["dashboard"]["cold"]["ms"]
        data["summary"] = {"last_growth": round(factor, 2)}
        growth_line = (
            f"Growth of the cold dashboard from {last[0]['attendee_rows']:,} to "
            f"{last[1]['attendee_rows']:,} rows: ×{factor:.2f} (target ≤ ×{TARGET_GROWTH}: "
            f"{'ok' if factor <= TARGET_GROWTH else 'MISSED'})"
        )
    else:
        growth_line = ""
    loads = ", ".join(
        f"{p['attendee_rows']:,} rows: load {p['load_seconds']} s + roll-ups "
        f"{p['rollup_seconds']} s"
        for p in data["points"]
    )
    return "\n".join(
        [
            f"Dashboard time by data size (in-process, median of {data['repeat']} requests)",
            table(
                [
                    "attendee rows",
                    "instances",
                    "dashboard cold ms",
                    "dashboard warm ms",
                    "queries cold/warm",
                    "cold growth",
                    "organizers list cold ms",
                    "attendees page cold ms",
                    "organizer filter's list cold ms",
                ],
                rows,
            ),
            growth_line,
            f"Loading (COPY) and rolling up: {loads}",
            "",
            "Cold dashboard by filter shape (in-process, empty cache on every request; "
            f"target p95 ≤ {TARGET_SHAPE_P95_MS} ms)",
            table(["attendee rows", "filters", "median ms", "p95 ms", "queries", "target"], shapes),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="attendee rows, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    data = run(sizes=sizes, repeat=args.repeat, keep_db=args.keep_db)
    publish("growth", data, report(data))  # report() first: it adds the summary to data
    return 0


if __name__ == "__main__":
    sys.exit(main())
