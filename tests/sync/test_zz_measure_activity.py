"""Measurement only (not committed): API calls per live pass and per incremental history pass."""

from __future__ import annotations

import json
import os
import statistics

import pytest

from sync import services

pytestmark = pytest.mark.django_db
SIZE = os.environ.get("MEASURE_SIZE", "small")


@pytest.fixture
def sized_sandbox(sandbox, tmp_path):
    if SIZE == "small":
        yield sandbox
        return
    from sandbox.testing import running_sandbox

    with running_sandbox(seed=1, size=SIZE, rate_limit=False) as handle:
        yield handle


def test_measure(sized_sandbox, sync_settings, settings, with_sandbox_token):
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    for name, value in sized_sandbox.portal_settings().items():
        setattr(settings, name, value)
    client = GoToMeetingClient(
        api_base_url=sized_sandbox.api_base_url,
        oauth=oauth_config(),
        token=sized_sandbox.token_for("admin@acme.example"),
        sleep=lambda s: None,
    )
    services.organizers_sync(client=client)
    services.scheduled_sync(client=client)
    services.history_sync(client=client)
    services.attendees_sync(client=client)
    live = [services.live_sync(client=client).api_calls for _ in range(15)]
    history = [services.history_sync(client=client).api_calls for _ in range(3)]
    scheduled = services.scheduled_sync(client=client).api_calls
    print(
        "MEASURE",
        json.dumps(
            {
                "size": SIZE,
                "live_calls_per_pass": live,
                "live_mean": statistics.mean(live),
                "history_incremental_calls": history,
                "scheduled_calls": scheduled,
            }
        ),
    )
