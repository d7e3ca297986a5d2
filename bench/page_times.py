"""In-process page times: the pages of ``bench/dashboard.py``, through Django's test client
with the page cache off, each beside the trivial view, interleaved.

    python bench/page_times.py [--root TREE] [--attendees 1000000] [--runs 200] [--profile PAGE]
        [--pages organizers attendees dashboard dashboard_empty]

Loads the same generated account as ``bench/dashboard.py`` (``bench/dataset.py``) into a fresh
PostgreSQL database, then requests trivial, organizers, attendees, trivial, organizers, … and
prints each page's median and best time (ms), its median as a multiple of the trivial view's, and
the median CPU time of this process per request (the Python side of a page: it does not count
the time waiting for another process's turn on a shared machine, nor PostgreSQL's own work).
Compare runs made back to back, and the ratios or CPU times rather than the wall-clock ms.

``--root`` runs the code of another checkout (an older commit, say) with this same script and
data, so a change is measured before and after with one tool. ``--profile PAGE`` prints a
cProfile of that page's requests instead (sorted by own time, then by cumulative time).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

PAGES = ("trivial", "organizers", "attendees")
ALL_PAGES = (*PAGES, "dashboard", "dashboard_empty")


def _use_root(root: Path) -> None:
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, str(root))
    # The venv's editable install maps the project's packages to the main checkout: a module
    # missing from ``root`` (an app's admin.py of a later commit) must not come from there.
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
    os.chdir(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--attendees", type=int, default=1_000_000)
    parser.add_argument("--instances", type=int, default=0, help="default: attendees / 10")
    parser.add_argument("--runs", type=int, default=200, help="requests of each page")
    parser.add_argument("--profile", choices=ALL_PAGES[1:], default="")
    parser.add_argument(
        "--pages",
        nargs="+",
        choices=ALL_PAGES[1:],
        default=list(PAGES[1:]),
        help="pages timed beside the trivial view (default: organizers attendees)",
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--database", default="", help="a database kept by --keep-db: reuse it, load nothing"
    )
    args = parser.parse_args(argv)
    pages = ("trivial", *dict.fromkeys(args.pages))
    _use_root(args.root.resolve())
    os.environ["CACHE_URL"] = "dummycache://"  # no page cache: every request computes its page

    from bench import dataset
    from bench.common import admin_session, bench_database, django_setup, log, maintenance_url
    from bench.dashboard import page_urls

    instances = args.instances or max(100, args.attendees // 10)
    if args.database:
        reused = maintenance_url().rsplit("/", 1)[0] + f"/{args.database}"
        database = contextlib.nullcontext(reused)
    else:
        database = bench_database("_pages", keep=args.keep_db)
    with database as db_url:
        django_setup(db_url, migrate=not args.database)
        if args.database:
            from meetings.models import MeetingInstance

            showcase = MeetingInstance.objects.order_by("-pk").values_list("pk", flat=True)[0]
        else:
            log(f"page_times ({args.root}): loading {instances} instances, {args.attendees} rows")
            showcase = dataset.load(
                instances=instances, attendees=args.attendees
            ).showcase_instance_id
        _user, session_key = admin_session()
        urls = page_urls(showcase)

        from django.test import Client

        client = Client()
        client.cookies["sessionid"] = session_key

        def get(name: str) -> None:
            response = client.get(urls[name])
            if response.status_code != 200:
                raise RuntimeError(f"{urls[name]} answered {response.status_code}")

        for _ in range(5):  # warm: imports, template loading, the session's first request
            for name in pages:
                get(name)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                get(args.profile)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(35)
            stats.sort_stats("cumulative").print_stats(60)
            return 0
        times: dict[str, list[float]] = {name: [] for name in pages}
        cpu: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(args.runs):
            for name in pages:
                started, started_cpu = time.perf_counter(), time.process_time()
                get(name)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
                times[name].append((time.perf_counter() - started) * 1000)
        trivial = statistics.median(times["trivial"])
        print(f"page times in-process, {args.root}, {args.runs} requests each (ms):")
        for name in pages:
            median = statistics.median(times[name])
            quartile = statistics.quantiles(times[name], n=4)[0]
            print(
                f"  {name:<11} median {median:7.2f}  lower quartile {quartile:7.2f}  "
                f"best {min(times[name]):7.2f}  median x trivial {median / trivial:5.2f}  "
                f"CPU of this process: median {statistics.median(cpu[name]):6.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
