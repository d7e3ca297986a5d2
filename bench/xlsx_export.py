"""Export benchmark: the peak memory of a year of attendee rows exported as Excel (and as CSV).

    python bench/xlsx_export.py [--rows 1000000]

Loads a generated account (``bench/dataset.py``: ``--rows`` attendee rows, rows / 10 meeting
instances over the last year) into a fresh database with COPY, then exports the history
dashboard's attendees of the whole year (``?export=xlsx&what=attendees``, an Admin's session)
in a fresh Python process per format, as one web worker would serve it: Django set up, the
trivial view first (``bench/urls.py``: the worker's baseline), then the export read to the
end. The child reports its peak resident set size (``VmHWM``) before and after the export,
the time and the file's size; the parent checks that the file holds every row (the sheet's
``<dimension>``).

Target (issue 17): the Excel export of 1M attendee rows within one worker's memory, peak RSS
under 200 MB. Prints a table; writes ``bench/results/xlsx_export.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import bootstrap

    bootstrap()

from bench.common import (  # noqa: E402
    ROOT,
    admin_session,
    bench_database,
    bench_environment,
    django_setup,
    log,
    publish,
    table,
)

TARGET_PEAK_MB = 200
KINDS = ("xlsx", "csv")


def _peak_mb() -> float:
    """This process's peak resident set size. Linux's ``VmHWM`` (the high-water mark of this
    program's memory), not ``ru_maxrss``: that one is carried across ``exec`` from the parent
    that forked it (here: the bench, holding the generated data set), so it starts high."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def export_url() -> str:
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    start = today - timedelta(days=364)
    return f"{reverse('meetings:dashboard')}?start={start}&end={today}&what=attendees"


def child(kind: str, session_key: str, output: str) -> dict:
    """In the fresh process: a small page, then the export to ``output``; what it cost."""
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.cookies["sessionid"] = session_key
    warm = client.get(reverse("bench_trivial"))  # the session's bookkeeping, the middleware
    if warm.status_code != 200:
        raise RuntimeError(f"the trivial view answered {warm.status_code}")
    baseline = _peak_mb()
    started = time.perf_counter()
    response = client.get(f"{export_url()}&export={kind}")
    if response.status_code != 200:
        raise RuntimeError(f"the export answered {response.status_code}")
    first_byte = time.perf_counter() - started
    size = 0
    with open(output, "wb") as out:
        for chunk in response.streaming_content:
            out.write(chunk)
            size += len(chunk)
    return {
        "kind": kind,
        "baseline_peak_mb": round(baseline, 1),
        "peak_mb": round(_peak_mb(), 1),
        "seconds": round(time.perf_counter() - started, 1),
        "first_byte_seconds": round(first_byte, 1),
        "bytes": size,
        "content_type": response["Content-Type"],
    }


def _rows_in(kind: str, path: str) -> int:
    """Data rows in the file: the sheet's ``<dimension>`` (xlsx) or its lines (csv)."""
    if kind == "csv":
        with open(path, "rb") as f:
            return sum(1 for _ in f) - 1
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        head = io.TextIOWrapper(sheet, encoding="utf-8").read(2000)
    match = re.search(r'<dimension ref="A1:[A-Z]+(\d+)"', head)
    return int(match.group(1)) - 1 if match else 0


def measure(kind: str, db_url: str, session_key: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        output = os.path.join(tmp, f"export.{kind}")
        result = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--session", session_key,
             "--output", output],
            cwd=ROOT,
            env={**os.environ, **bench_environment(db_url)},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"{kind} export failed: {result.stderr[-3000:]}")
        measured = json.loads(result.stdout.strip().splitlines()[-1])
        measured["rows_in_file"] = _rows_in(kind, output)
    return measured


def run(*, rows: int, keep_db: bool) -> dict:
    from bench import dataset

    with bench_database("_xlsx", keep=keep_db) as db_url:
        django_setup(db_url)
        _user, session_key = admin_session()
        log(f"xlsx export: loading {rows // 10} instances, {rows} attendee rows…")
        loaded = dataset.load(instances=max(100, rows // 10), attendees=rows)
        exports = {}
        for kind in KINDS:
            log(f"xlsx export: exporting {loaded.attendees} attendee rows as {kind}…")
            exports[kind] = measure(kind, db_url, session_key)
            if exports[kind]["rows_in_file"] != loaded.attendees:
                raise RuntimeError(
                    f"the {kind} holds {exports[kind]['rows_in_file']} rows, not {loaded.attendees}"
                )
    return {"attendee_rows": loaded.attendees, "exports": exports}


def report(data: dict) -> str:
    xlsx = data["exports"]["xlsx"]
    data["summary"] = {"xlsx_peak_mb": xlsx["peak_mb"], "target_mb": TARGET_PEAK_MB}
    rows = [
        [
            kind,
            f"{data['attendee_rows']:,}",
            e["baseline_peak_mb"],
            e["peak_mb"],
            round(e["peak_mb"] - e["baseline_peak_mb"], 1),
            e["seconds"],
            e["first_byte_seconds"],
            f"{e['bytes'] / 1e6:.1f}",
            ("ok" if e["peak_mb"] < TARGET_PEAK_MB else "MISSED") if kind == "xlsx" else "—",
        ]
        for kind, e in data["exports"].items()
    ]
    return "\n".join(
        [
            "Attendee export of a year, whole account (one fresh process per format: peak RSS "
            f"after the trivial view, then after the export; xlsx target < {TARGET_PEAK_MB} MB)",
            table(
                [
                    "format",
                    "rows",
                    "baseline MB",
                    "peak MB",
                    "added MB",
                    "seconds",
                    "first byte s",
                    "file MB",
                    "target",
                ],
                rows,
            ),  # fmt: skip
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000000", help="attendee rows to load and export")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench database")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--session", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.session, args.output)))
        return 0
    data = run(rows=int(args.rows.replace("_", "")), keep_db=args.keep_db)
    publish("xlsx_export", data, report(data))  # report() first: it adds the summary to data
    return 0


if __name__ == "__main__":
    sys.exit(main())
