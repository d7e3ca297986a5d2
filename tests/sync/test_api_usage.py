"""API usage counted per hour, sync area and operation in Redis: every process adds to the same
counts (what the sandbox received, no more, no less), 429 answers are counted apart, a sync run
counts as its area and an Admin's click as interactive, and without Redis nothing fails."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from sync import usage
from sync.usage import UsageUnavailable, count_api_call, counted_as, usage_by_hour

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "redis://127.0.0.1:1/0"


def _totals() -> tuple[Counter, Counter]:
    """Calls and 429s per (area, operation), summed over the hours (a test may span two)."""
    calls, throttled = Counter(), Counter()
    for hour in usage_by_hour(hours=2):
        for row in hour.operations:
            calls[(row.area, row.operation)] += row.calls
            throttled[(row.area, row.operation)] += row.throttled
    return calls, throttled


@pytest.mark.redis
def test_calls_are_counted_per_area_and_operation_by_every_process(
    usage_counts, sandbox, goto_client
):
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sync.budget_worker",
            *("--api", sandbox.api_base_url),
            *("--token-json", json.dumps(sandbox.token_for("admin@acme.example"))),
            *("--owner", f"usage-{uuid.uuid4().hex[:8]}"),
            *("--calls", "4", "--rate", "1000", "--area", "live", "--key-prefix", usage_counts),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().strip() == "ready"
    worker.stdin.write("go\n")
    worker.stdin.flush()
    clicks, sync = goto_client(on_send=count_api_call), goto_client(on_send=count_api_call)
    for _ in range(3):
        clicks.get_groups()
    with counted_as("history"):
        sync.get_organizers()
        sync.get_organizers()
    worker.communicate(timeout=60)
    assert worker.returncode == 0

    calls, throttled = _totals()
    assert calls == {
        ("interactive", "get_groups"): 3,
        ("history", "get_organizers"): 2,
        ("live", "get_groups"): 4,
    }
    assert sum(calls.values()) == sandbox.stats()["api_total"]
    assert sum(throttled.values()) == 0


@pytest.mark.redis
def test_429_answers_are_counted_apart_and_each_retry_counts_as_a_call(
    usage_counts, sandbox, goto_client
):
    sandbox.faults(rate_limit=True, rate_limit_per_second=2)
    client = goto_client(on_send=count_api_call, sleep=time.sleep, max_retries=10)
    for _ in range(6):
        client.get_groups()

    calls, throttled = _totals()
    statuses = sandbox.stats()["statuses"]
    assert statuses.get("429", 0) > 0  # the fault did bite
    assert throttled == {("interactive", "get_groups"): statuses["429"]}
    assert calls == {("interactive", "get_groups"): sandbox.stats()["api_total"]}
    assert calls[("interactive", "get_groups")] == client.calls_made > 6


@pytest.mark.redis
@pytest.mark.django_db
def test_a_sync_run_counts_as_its_area_and_a_click_after_it_as_interactive(
    usage_counts, service_admin, sandbox
):
    from accounts.connections import client_for_user
    from sync.services import organizers_sync
    from sync.tasking import run_sync_service

    result = run_sync_service(organizers_sync, area="organizers")
    client_for_user(service_admin).get_groups()

    calls, _ = _totals()
    by_area = Counter()
    for (area, _operation), number in calls.items():
        by_area[area] += number
    assert result["api_calls"] > 0
    assert by_area == {"organizers": result["api_calls"], "interactive": 1}
    assert calls[("interactive", "get_groups")] == 1


@pytest.mark.django_db
def test_without_redis_calls_still_go_out_and_reading_says_the_counts_are_unknown(
    usage_counts, service_admin, sandbox, settings
):
    from accounts.connections import client_for_user

    settings.GOTO_API_BUDGET_REDIS_URL = UNREACHABLE
    client = client_for_user(service_admin)
    assert len(client.get_groups()) > 0
    assert client.get_groups()  # the second call does not even try Redis again

    assert sandbox.stats()["api_total"] == 2
    with pytest.raises(UsageUnavailable):
        usage_by_hour()


def test_the_area_goes_back_to_interactive_after_a_run():
    assert usage.current_area() == "interactive"
    with counted_as("history"):
        with counted_as("attendees"):
            assert usage.current_area() == "attendees"
        assert usage.current_area() == "history"
    assert usage.current_area() == "interactive"
