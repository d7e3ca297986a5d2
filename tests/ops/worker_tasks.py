"""Tasks for the operations tests only, loaded by their workers (``--include``).

``record_run`` writes one audit row per run, under a cache lock, as the sync tasks claim their
work; ``record_event`` notes when it starts and finishes in a Redis list the test reads.
"""

from __future__ import annotations

import json
import logging
import time

import redis
from django.conf import settings

from portal.celery import app
from portal.locks import cache_lock

logger = logging.getLogger(__name__)


@app.task(name="ops_test.record_run", bind=True, ignore_result=True)
def record_run(self, batch: str, n: int) -> str:
    """One audit entry per run: which worker ran item ``n`` of ``batch``."""
    from accounts.audit import audit_record
    from accounts.models import AuditAction

    with cache_lock(f"ops-test:{batch}:{n}", timeout=60, wait=10):
        logger.info("ops test run %s:%s on %s", batch, n, self.request.hostname)
        audit_record(
            actor=None,
            action=AuditAction.SYNC_TRIGGER,  # any real action: rows are told by target_type
            target_type="ops_test",
            target_id=f"{batch}:{n}",
            detail=self.request.hostname or "",
        )
    return self.request.hostname or ""


@app.task(name="ops_test.record_event", bind=True, ignore_result=True)
def record_event(self, key: str, label: str, sleep_seconds: float = 0.0) -> None:
    """Push "started" and "finished" events (with times) to the Redis list ``key``."""
    client = redis.Redis.from_url(settings.REDIS_URL)

    def note(event: str) -> None:
        entry = {"label": label, "event": event, "at": time.time(), "worker": self.request.hostname}
        client.rpush(key, json.dumps(entry))

    note("started")
    time.sleep(sleep_seconds)
    note("finished")
