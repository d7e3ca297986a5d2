"""The benchmark scripts still run (at toy sizes), so ``make bench`` cannot rot unnoticed.

Not a benchmark: no number is judged here, only that each script finishes, prints its table
and writes its JSON. Each script creates and drops its own ``portal_bench_<pid>`` database on
the PostgreSQL server of ``DATABASE_URL`` (or 127.0.0.1:5432/test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import IN_CI

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis]


def _pg_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/test"


@pytest.fixture
def run_script(tmp_path):
    sys.path.insert(0, str(ROOT))
    from bench.common import pg_available

    if not pg_available(_pg_url()):
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL does not answer: the bench scripts need it")
        pytest.skip("PostgreSQL is not reachable: the bench scripts need it")

    def run(script: str, *args: str) -> tuple[str, dict]:
        env = {
            **os.environ,
            "BENCH_PG_URL": _pg_url(),
            "BENCH_RESULTS_DIR": str(tmp_path),
            "BENCH_NO_INSTALL": "1",  # use wrk if it is there, never install it from a test
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            [sys.executable, f"bench/{script}.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        name = {"sync_speed": "sync"}.get(script, script)
        return result.stdout, json.loads((tmp_path / f"{name}.json").read_text())

    return run


def test_dashboard_script_measures_each_page_beside_the_trivial_view(run_script):
    out, data = run_script(
        "dashboard",
        "--attendees",
        "2000",
        "--seconds",
        "1",
        "--rounds",
        "1",
        "--connections",
        "2",
        "--workers",
        "2",
    )
    assert "History dashboard" in out and "trivial view" in out
    assert "API: meeting instances" in out
    assert data["dataset"]["attendees"] == 2000
    assert "over a year with no meetings (reference)" in out
    for page in ("dashboard", "dashboard_empty", "organizers", "attendees", "api"):
        assert data["queries"][page]["cold_queries"] > 0
        for phase in ("cold", "warm"):
            measured = data[phase][page]
            assert measured["page"]["requests"] > 0 and measured["page"]["failures"] == 0
            assert measured["trivial"]["rps"] > 0 and measured["ratio"] > 0


def test_growth_script_times_the_dashboard_at_each_size(run_script):
    out, data = run_script("growth", "--sizes", "1000,3000", "--repeat", "1")
    assert "attendee rows" in out
    assert [p["attendee_rows"] for p in data["points"]] == [1000, 3000]
    assert all(p["dashboard"]["cold"]["queries"] > 0 for p in data["points"])
    assert all(p["organizer_options"]["cold"]["queries"] > 0 for p in data["points"])
    assert "organizer filter's list cold ms" in out


def test_sync_script_syncs_the_sandbox_and_compares_with_bulk_create(run_script):
    out, data = run_script("sync_speed", "--size", "small")
    assert "raw bulk_create" in out
    full, incremental, raw = data["full"], data["incremental"], data["raw"]
    assert full["instances_written"] == raw["instances"] > 0
    assert full["attendees_written"] == raw["attendees"] > 0
    assert full["api_calls"] > incremental["api_calls"] > 0
    assert incremental["instances_written"] == incremental["attendees_written"] == 0
    assert data["summary"]["ratio"] > 0
    # Each round syncs from an empty portal: every one writes all the rows again.
    assert len(data["rounds"]) == 3
    assert {(r["instances_written"], r["attendees_written"]) for r in data["rounds"]} == {
        (raw["instances"], raw["attendees"])
    }


def test_api_budget_script_counts_each_area_and_runs_workers_on_one_token(run_script):
    out, data = run_script("api_budget", "--sizes", "small", "--seconds", "3", "--rate", "40")
    assert "calls per hour" in out and "back-fill throughput" in out
    (small,) = data["sizes"]
    areas = small["areas"]
    assert set(areas) == {"organizers", "history", "attendees", "scheduled", "live"}
    # The sandbox's count of the steady pass is what the client asked, per operation.
    for name, area in areas.items():
        steady = area["steady_pass"]
        assert steady["calls"] == sum(steady["by_operation"].values())
        if name not in ("live", "history"):  # one pass per cadence
            assert area["calls_per_hour"] == round(steady["calls"] * 3600 / area["every_seconds"])
    # Live: the mean pass over one sweep, plus the rechecks of live meetings and recent hosts.
    live = areas["live"]
    sweep = live["sweep_passes"]
    assert live["calls_per_hour"] >= round(sum(sweep) / len(sweep) * 3600 / live["every_seconds"])
    # History: incremental passes, and one full pass per sweep period among them.
    history = areas["history"]
    low = min(history["steady_pass"]["calls"], history["full_pass"]["calls"])
    high = max(history["steady_pass"]["calls"], history["full_pass"]["calls"])
    per_hour = 3600 / history["every_seconds"]
    assert round(low * per_hour) <= history["calls_per_hour"] <= round(high * per_hour)
    assert areas["live"]["steady_pass"]["calls"] > 0
    assert small["calls_per_hour"] == sum(a["calls_per_hour"] for a in areas.values())
    assert small["live_shown_within_seconds"] >= areas["live"]["every_seconds"]
    throughput = data["throughput"]
    assert throughput["calls"] > 0 and throughput["answers_429"] <= throughput["sandbox_answers"]


def test_xlsx_export_script_measures_peak_memory_of_each_format(run_script):
    out, data = run_script("xlsx_export", "--rows", "2000")
    assert "peak MB" in out
    assert data["attendee_rows"] == 2000
    for kind in ("xlsx", "csv"):
        export = data["exports"][kind]
        assert export["rows_in_file"] == 2000
        assert export["peak_mb"] >= export["baseline_peak_mb"] > 0
    assert data["exports"]["xlsx"]["content_type"].endswith("spreadsheetml.sheet")
    assert data["summary"]["xlsx_peak_mb"] == data["exports"]["xlsx"]["peak_mb"]
