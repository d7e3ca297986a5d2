"""With rate limits, 5xx answers and expired tokens, the sync still ends with the cache equal
to the sandbox: failed runs record their error and keep what they wrote, re-runs (Celery's
retries) finish the rest, and nothing is duplicated."""

from __future__ import annotations

import pytest

from sync import services
from sync.models import SyncOutcome, SyncRun
from tests.sync.expectations import assert_cache_matches

pytestmark = pytest.mark.django_db

SERVICES = (
    services.organizers_sync,
    services.history_sync,
    services.attendees_sync,
    services.scheduled_sync,
    services.live_sync,
)


def _until_success(service, client, attempts: int = 10):
    """Re-run ``service`` as Celery's autoretry would, until one run succeeds."""
    for _ in range(attempts):
        try:
            run = service(client=client, triggered_by="faults test")
        except services.ApiError:
            continue
        if run.outcome == SyncOutcome.SUCCESS:
            return run
    raise AssertionError(f"{service.__name__} did not succeed in {attempts} runs")


def test_sync_with_429_5xx_and_expired_tokens_converges_to_the_sandbox_state(
    sandbox, sync_settings, goto_client
):
    client = goto_client()
    sandbox.faults(error_rate=0.3, fail_next=[429, 429, 503, 429], expire_tokens=True)

    for service in SERVICES:
        _until_success(service, client)

    sandbox.faults(error_rate=0, expire_tokens=False)
    assert_cache_matches(sandbox.state())
    statuses = sandbox.stats()["statuses"]
    assert (
        statuses.get("429", 0) >= 3
        and sum(statuses.get(code, 0) for code in ("502", "503", "504")) > 0
    ), "faults were really served"
    assert statuses.get("403", 0) >= 1, "the expired token was refused once, then refreshed"
    assert not SyncRun.objects.filter(outcome=SyncOutcome.RUNNING).exists()
