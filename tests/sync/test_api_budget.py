"""One API budget per GoTo token, shared by every process (Redis): workers on one token never
send GoTo more than its limit per second together, a person's click goes ahead of a long
back-fill, a 429 holds everybody back, and losing Redis (or its keys) breaks nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from gotomeeting.budget import BudgetExhausted, LocalBudget, LocalWindow
from sync.budget import Priority, SharedBudget

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


# --- The rule, in one process (also the fallback when Redis does not answer) ------------------


def test_the_window_never_lets_more_than_its_calls_through_in_any_window():
    clock = FakeClock()
    budget = LocalBudget(LocalWindow(calls=10, window=1.0, clock=clock), sleep=clock.sleep)
    sent = []
    for _ in range(35):
        budget.acquire()
        sent.append(clock.now)
    for i, at in enumerate(sent):
        assert sum(1 for other in sent[i:] if other < at + 1.0) <= 10
    assert sent[-1] - sent[0] < 3.1  # and it uses the whole limit: 35 calls in ~3 s


def test_background_work_leaves_the_headroom_to_interactive_work():
    clock = FakeClock()
    window = LocalWindow(calls=10, window=1.0, clock=clock)
    background = LocalBudget(window, reserve=2, sleep=clock.sleep)
    for _ in range(8):
        assert background.acquire() == 0
    with pytest.raises(BudgetExhausted):
        background.acquire(max_wait=0.5)  # the last two calls of the window are not its own
    interactive = LocalBudget(window, reserve=0, sleep=clock.sleep)
    assert interactive.acquire() == 0 and interactive.acquire() == 0


def test_a_429_holds_every_caller_then_halves_the_rate_for_a_while():
    clock = FakeClock()
    window = LocalWindow(calls=10, window=1.0, clock=clock, slow_seconds=60)
    budget = LocalBudget(window, sleep=clock.sleep)
    budget.throttled(3.0)
    assert budget.acquire() == pytest.approx(3.0, abs=0.01)
    taken_at = [clock.now]
    for _ in range(9):
        budget.acquire()
        taken_at.append(clock.now)
    assert sum(1 for at in taken_at if at < taken_at[0] + 1.0) == 5  # 10 × ½


# --- Shared in Redis -----------------------------------------------------------------------


@pytest.fixture
def shared(settings, request):
    settings.GOTO_API_CALLS_PER_SECOND = 10
    settings.GOTO_API_BUDGET_WINDOW_SECONDS = 1.0
    settings.GOTO_API_BACKGROUND_HEADROOM = 2
    owner = f"{request.node.name}-{time.monotonic_ns()}"
    url, prefix = settings.GOTO_API_BUDGET_REDIS_URL, settings.GOTO_API_BUDGET_KEY_PREFIX
    yield owner
    try:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(f"{prefix}:{owner}:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # no Redis on this machine: nothing was written there


@pytest.mark.redis
def test_two_budgets_of_one_token_share_one_window(shared):
    first, second = SharedBudget(shared), SharedBudget(shared)  # as two processes would
    for _ in range(5):
        assert first.acquire() == 0
        assert second.acquire() == 0
    with pytest.raises(BudgetExhausted):
        first.acquire(max_wait=0.05)
    assert SharedBudget(f"{shared}-other-token").acquire() == 0  # another token: its own


@pytest.mark.redis
def test_a_429_seen_by_one_process_holds_the_others(shared):
    SharedBudget(shared).throttled(1.5)
    started = time.monotonic()
    SharedBudget(shared, priority=Priority.INTERACTIVE).acquire()
    assert time.monotonic() - started >= 1.3


@pytest.mark.redis
def test_a_budget_lost_in_redis_starts_afresh(shared):
    budget = SharedBudget(shared, priority=Priority.INTERACTIVE)
    for _ in range(10):
        budget.acquire()
    with pytest.raises(BudgetExhausted):
        budget.acquire(max_wait=0.05)
    redis.Redis.from_url(settings.GOTO_API_BUDGET_REDIS_URL).delete(*budget.keys)
    assert budget.acquire(max_wait=0.05) == 0  # a fresh window, no error


def test_without_redis_each_process_keeps_the_same_rule(shared, settings):
    settings.GOTO_API_BUDGET_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    budget = SharedBudget(shared, priority=Priority.INTERACTIVE)
    for _ in range(10):
        assert budget.acquire(max_wait=0.05) == 0
    with pytest.raises(BudgetExhausted):
        budget.acquire(max_wait=0.05)


# --- Against the sandbox, with worker processes -------------------------------------------------


def _start_worker(sandbox, token: dict, *, owner: str, calls: int, rate: int):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sync.budget_worker",
            "--api",
            sandbox.api_base_url,
            "--token-json",
            json.dumps(token),
            "--owner",
            owner,
            "--calls",
            str(calls),
            "--rate",
            str(rate),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def _finish(process) -> dict:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.redis
def test_two_workers_on_one_token_never_exceed_the_limit_and_a_click_goes_first(
    shared, sandbox, settings
):
    limit, calls = 20, 50
    settings.GOTO_API_CALLS_PER_SECOND = limit
    settings.GOTO_API_BUDGET_WINDOW_SECONDS = 1.05
    settings.GOTO_API_BACKGROUND_HEADROOM = 4
    sandbox.faults(rate_limit=True, rate_limit_per_second=limit)
    token = sandbox.token_for("admin@acme.example")
    workers = [
        _start_worker(sandbox, token, owner=shared, calls=calls, rate=limit) for _ in range(2)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    time.sleep(1.5)  # the back-fill is under way and the window is full
    interactive_waits = []
    for _ in range(3):
        interactive_waits.append(SharedBudget(shared, priority=Priority.INTERACTIVE).acquire())
        time.sleep(0.3)
    results = [_finish(worker) for worker in workers]

    stats = sandbox.stats()
    assert stats["statuses"].get("429", 0) == 0  # GoTo never saw more than its limit
    assert all(r["calls_made"] == r["operations"] for r in results)  # no retries at all
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    # Shared, not each at the limit: 100 calls at 20/s (less the headroom) take over 4 s.
    assert elapsed >= (2 * calls) / limit - 1
    assert max(interactive_waits) < 0.2  # the clicks did not queue behind the back-fill


@pytest.mark.redis
def test_workers_with_separate_budgets_would_have_been_refused(shared, sandbox, settings):
    """The control for the test above: without a shared window, GoTo answers 429."""
    limit = 20
    sandbox.faults(rate_limit=True, rate_limit_per_second=limit)
    token = sandbox.token_for("admin@acme.example")
    workers = [
        _start_worker(sandbox, token, owner=f"{shared}-{n}", calls=40, rate=limit) for n in range(2)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        _finish(worker)
    assert sandbox.stats()["statuses"].get("429", 0) > 0


@pytest.mark.redis
def test_a_429_storm_is_waited_out_together(shared, sandbox, settings, goto_client):
    settings.GOTO_API_CALLS_PER_SECOND = 20  # the portal thinks 20/s …
    sandbox.faults(rate_limit=True, rate_limit_per_second=5)  # … GoTo allows 5/s
    clients = [
        goto_client(budget=SharedBudget(shared), sleep=time.sleep, max_retries=10) for _ in range(3)
    ]
    failures: list[BaseException] = []

    def work(client):
        try:
            for _ in range(6):
                client.get_groups()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    answered_429 = sandbox.stats()["statuses"].get("429", 0)
    # Every 429 holds all three and halves the rate: a few, not one per call.
    assert answered_429 <= 6, answered_429


@pytest.mark.redis
def test_a_refreshed_token_keeps_its_budget(shared, sandbox_settings, sandbox, admin_user):
    from accounts.connections import client_for_user
    from accounts.tokens import load_token, store_token

    sandbox_settings.GOTO_API_CALLS_PER_SECOND = 10
    admin_user.organizer_key = None
    store_token(admin_user, sandbox.token_for("admin@acme.example"))
    budget = SharedBudget(shared, priority=Priority.INTERACTIVE)
    client = client_for_user(admin_user, budget=budget, sleep=lambda s: None)
    before = load_token(admin_user)["access_token"]
    for _ in range(4):
        client.get_groups()
    sandbox.faults(expire_tokens=True)
    for _ in range(4):
        client.get_groups()  # refreshes on the first 403 InvalidToken
    assert load_token(admin_user)["access_token"] != before
    sent = redis.Redis.from_url(settings.GOTO_API_BUDGET_REDIS_URL).zcard(budget.keys[0])
    assert sent == client.calls_made >= 9  # one window across the refresh (and its retry)
