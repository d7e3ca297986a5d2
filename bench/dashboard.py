"""Dashboard benchmark: the portal's busiest read pages under load, each beside a trivial view.

    python bench/dashboard.py [--attendees 1000000] [--instances N] [--seconds 4] [--rounds 3]

1. Loads a generated account into a fresh PostgreSQL database with COPY (default 100,000
   meeting instances over the last year and 1,000,000 attendee rows; ``bench/dataset.py``).
2. Counts the queries of each page in-process (Django test ``Client`` +
   ``CaptureQueriesContext``), first with an empty cache, then again (warm).
3. Serves the portal with gunicorn on loopback (``bench/gunicorn_bench.py``: the production
   settings of ``gunicorn.conf.py``) and loads each page, right after the trivial view
   ``/bench/trivial/`` on the same server, with wrk (or the Python load generator):
   - cold: the server just restarted and the page cache empty on every request (the cache is
     Django's dummy backend), so each request computes its page from the database; plus the
     very first request of each page after the restart;
   - warm: the real cache (Redis), after a warm-up: the steady state.
   Sign-in: a session of an Admin created in the database, sent as the ``sessionid`` cookie;
   the reporting API's list of meeting instances (one year, whole account, 100 rows a page,
   the first page) gets that Admin's personal access token as ``Authorization: Bearer``
   instead. The API keeps no page cache, so its cold and warm rows differ only by the rate
   limit's counter, which the warm phase keeps in Redis as production does (the limit is set
   out of reach in ``bench/settings.py``: this measures the API, not the limit).

   Each page is loaded ``--rounds`` times, each round right after a round of the trivial view;
   its ratio is the median round's (the machine this runs on is shared and its speed drifts).

Prints each page's requests/s and p50/p95 latency as a ratio to the trivial view; writes
``bench/results/dashboard.json``.
"""

from __future__ import annotations

import argparse
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
    fmt_ratio,
    log,
    publish,
    table,
    verdict,
)

TARGET_WARM = 0.5
TARGET_COLD = 0.2
TARGET_QUERIES = 10
PAGES = ("dashboard", "dashboard_empty", "organizers", "attendees", "api")
REFERENCE = {"dashboard_empty"}  # measured for comparison, no target of its own
LABELS = {
    "dashboard": "History dashboard (1 year, whole account)",
    "dashboard_empty": "… the same page over a year with no meetings (reference)",
    "organizers": "Organizers list",
    "attendees": "Meeting attendees page",
    "api": "API: meeting instances (1 year, 100 a page, token)",
}


def credentials(session_key: str, token: str) -> dict[str, dict]:
    """What each URL is requested with: the session cookie, or the API token's header."""
    session = {"cookie": f"sessionid={session_key}"}
    creds = {name: session for name in ("trivial", *PAGES)}
    creds["api"] = {"headers": {"Authorization": f"Bearer {token}"}}
    return creds


def api_token(user) -> str:
    from datetime import timedelta

    from django.utils import timezone

    from reporting_api.services import api_token_create

    _token, secret = api_token_create(
        owner=user, name="bench", expires_at=timezone.now() + timedelta(days=1), acting_user=user
    )
    return secret


def page_urls(showcase_instance_id: int) -> dict[str, str]:
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    start = today - timedelta(days=364)
    empty = start - timedelta(days=5 * 365)
    return {
        "trivial": reverse("bench_trivial"),
        "dashboard": f"{reverse('meetings:dashboard')}?start={start}&end={today}",
        # The same page, filters and template over a year before any meeting: what the page
        # costs with nothing to count (its figures, charts and heat map all zero).
        "dashboard_empty": f"{reverse('meetings:dashboard')}?start={empty}"
        f"&end={empty + timedelta(days=364)}",
        "organizers": reverse("organizers:list"),
        "attendees": reverse("meetings:instance_detail", args=[showcase_instance_id]),
        "api": f"{reverse('api:meeting_instances')}?start={start}&end={today}&page_size=100",
    }


def count_queries(urls: dict[str, str], session_key: str, token: str) -> dict[str, dict]:
    """Queries and time of each page in-process: with an empty cache, then warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = session_key
    client.get(urls["trivial"])  # the session's first-request bookkeeping, out of the way
    api_client = Client(headers={"Authorization": f"Bearer {token}"})  # no session: a BI tool
    counts = {}
    for name, url in urls.items():
        clear_cache()
        row = {}
        for phase in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = (api_client if name == "api" else client).get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            row[f"{phase}_queries"] = len(captured.captured_queries)
            row[f"{phase}_ms"] = round(elapsed * 1000, 1)
            row["bytes"] = len(response.content)
            row[f"{phase}_sql"] = [
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:400]}
                for q in captured.captured_queries
            ]
        counts[name] = row
    return counts


def drain(timeout: float = 180) -> None:
    """Wait until no query of the bench database is running (a slow page's leftovers from the
    last load run would otherwise eat into the next one)."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.2)
    connection.close()
    time.sleep(0.3)


def load_phase(server, urls, creds, *, seconds, connections, tool, rounds) -> dict[str, dict]:
    """Each page ``rounds`` times right after the trivial view (trivial, page, trivial, page…,
    ``seconds`` each): the page's ratio is the median of its rounds' ratios, so a slow moment
    of a shared machine skews one round, not the result."""
    from bench.loadgen import run_load

    results: dict[str, dict] = {}
    for name in PAGES:
        runs: dict[str, list[dict]] = {"trivial": [], "page": []}
        for _ in range(rounds):
            for target in ("trivial", name):
                drain()
                result = run_load(
                    server.base_url + urls[target],
                    **creds[target],
                    seconds=seconds,
                    connections=connections,
                    tool=tool,
                )
                log(
                    f"  {target:<10} {result.rps:>8} req/s  p50 {result.p50_ms} ms  "
                    f"p95 {result.p95_ms} ms  ({result.requests} requests, "
                    f"{result.failures} failed)"
                )
                if result.failures:
                    raise RuntimeError(f"{target}: {result.failures} failed requests under load")
                runs["trivial" if target == "trivial" else "page"].append(result.as_dict())
        ratios = [
            page["rps"] / trivial["rps"]
            for trivial, page in zip(runs["trivial"], runs["page"], strict=True)
            if trivial["rps"]
        ]
        middle = sorted(range(len(ratios)), key=ratios.__getitem__)[len(ratios) // 2]
        results[name] = {
            "trivial": runs["trivial"][middle],  # the round whose ratio is the median
            "page": runs["page"][middle],
            "ratio": round(ratios[middle], 4) if ratios else None,
            "round_ratios": [round(r, 4) for r in ratios],
        }
    drain()
    return results


def first_requests(server, urls, creds) -> dict[str, float]:
    """The first request of each page right after a restart with an empty cache (ms)."""
    from bench.loadgen import timed_get

    firsts = {}
    for name in ("trivial", *PAGES):
        status, ms = timed_get(server.base_url + urls[name], **creds[name])
        if status != 200:
            raise RuntimeError(f"{name}: first request answered {status}")
        firsts[name] = round(ms, 1)
    return firsts


def run(args) -> dict:
    from bench import dataset
    from bench.loadgen import run_load, wrk_path
    from bench.server import PortalServer

    instances = args.instances or max(100, args.attendees // 10)
    with bench_database("_dash", keep=args.keep_db) as db_url:
        django_setup(db_url)
        log(f"dashboard: loading {instances} meeting instances, {args.attendees} attendees…")
        loaded = dataset.load(instances=instances, attendees=args.attendees)
        log(f"dashboard: loaded in {loaded.seconds} s")
        user, session_key = admin_session()
        token = api_token(user)
        creds = credentials(session_key, token)
        urls = page_urls(loaded.showcase_instance_id)
        log("dashboard: counting queries in-process…")
        queries = count_queries(urls, session_key, token)
        tool = args.tool
        if tool == "auto":
            tool = "wrk" if wrk_path() else "python"
        common = {
            "seconds": args.seconds,
            "connections": args.connections,
            "tool": tool,
            "rounds": args.rounds,
        }

        log(f"dashboard: cold phase (no page cache), load with {tool}…")
        cold_server = PortalServer(
            db_url, workers=args.workers, extra_env={"CACHE_URL": "dummycache://"}
        )
        with cold_server:
            firsts = first_requests(cold_server, urls, creds)
            cold = load_phase(cold_server, urls, creds, **common)

        log("dashboard: warm phase (Redis cache, after a warm-up)…")
        clear_cache()
        with PortalServer(db_url, workers=args.workers) as warm_server:
            for name in ("trivial", *PAGES):
                run_load(
                    warm_server.base_url + urls[name],
                    **creds[name],
                    seconds=max(1, args.seconds / 2),
                    connections=args.connections,
                    tool=tool,
                )
            warm = load_phase(warm_server, urls, creds, **common)
        clear_cache()
    return {
        "dataset": loaded.__dict__,
        "urls": urls,
        "load": {**common, "workers": args.workers or "gunicorn.conf.py default"},
        "queries": queries,
        "first_request_ms": firsts,
        "cold": cold,
        "warm": warm,
    }


def report(data: dict) -> str:
    rows = []
    summary = {}
    for name in PAGES:
        q = data["queries"][name]
        cold, warm = data["cold"][name], data["warm"][name]
        summary[name] = {
            "queries_cold": q["cold_queries"],
            "queries_warm": q["warm_queries"],
            "cold_ratio": cold["ratio"],
            "warm_ratio": warm["ratio"],
        }
        rows.append(
            [
                LABELS[name],
                f"{q['cold_queries']}/{q['warm_queries']}",
                data["first_request_ms"][name],
                f"{cold['page']['rps']} ({fmt_ratio(cold['ratio'])})",
                f"{warm['page']['rps']} ({fmt_ratio(warm['ratio'])})",
                f"{warm['page']['p50_ms']}/{warm['page']['p95_ms']}",
                f"{cold['page']['p50_ms']}/{cold['page']['p95_ms']}",
                "—"
                if name in REFERENCE
                else "/".join(
                    (
                        verdict(cold["ratio"], TARGET_COLD),
                        verdict(warm["ratio"], TARGET_WARM),
                        "ok"
                        if max(q["cold_queries"], q["warm_queries"]) <= TARGET_QUERIES
                        else "MISSED",
                    )
                ),
            ]
        )
    trivial_cold = [data["cold"][n]["trivial"]["rps"] for n in PAGES]
    trivial_warm = [data["warm"][n]["trivial"]["rps"] for n in PAGES]
    rows.append(
        [
            "trivial view (baseline)",
            f"{data['queries']['trivial']['cold_queries']}/"
            f"{data['queries']['trivial']['warm_queries']}",
            data["first_request_ms"]["trivial"],
            f"{min(trivial_cold)}–{max(trivial_cold)}",
            f"{min(trivial_warm)}–{max(trivial_warm)}",
            f"{data['warm']['dashboard']['trivial']['p50_ms']}/"
            f"{data['warm']['dashboard']['trivial']['p95_ms']}",
            f"{data['cold']['dashboard']['trivial']['p50_ms']}/"
            f"{data['cold']['dashboard']['trivial']['p95_ms']}",
            "",
        ]
    )
    data["summary"] = summary
    ds = data["dataset"]
    load = data["load"]
    header = (
        f"Dashboard pages: {ds['instances']:,} meeting instances, {ds['attendees']:,} attendee "
        f"rows, {ds['organizers']} organizers; gunicorn ({load['workers']} workers) on loopback, "
        f"{load['tool']} with {load['connections']} connections, {load.get('rounds', 1)} rounds "
        f"of {load['seconds']} s per page and phase (ratio: the median round's)"
    )
    return "\n".join(
        [
            header,
            table(
                [
                    "page",
                    "queries cold/warm",
                    "1st request ms",
                    "cold req/s (vs trivial)",
                    "warm req/s (vs trivial)",
                    "warm p50/p95 ms",
                    "cold p50/p95 ms",
                    "target cold≥20%/warm≥50%/≤10 queries",
                ],
                rows,
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attendees", type=int, default=1_000_000)
    parser.add_argument("--instances", type=int, default=0, help="default: attendees / 10")
    parser.add_argument("--seconds", type=float, default=4, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="trivial/page pairs per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py's")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database")
    args = parser.parse_args(argv)
    data = run(args)
    publish("dashboard", data, report(data))  # report() first: it adds the summary to data
    return 0


if __name__ == "__main__":
    sys.exit(main())
