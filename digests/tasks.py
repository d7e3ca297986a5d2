"""The digests' beat task: hourly, it sends the digests due (:func:`digests_send_due`).

``now`` (ISO 8601) lets an operator re-run an hour the workers missed, e.g.
``celery -A portal call digests.send_due --kwargs '{"now": "2026-02-09T08:05:00+00:00"}'``:
what was sent already is not sent again.
"""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

SEND_DUE_TASK = "digests.send_due"


@shared_task(name=SEND_DUE_TASK, acks_late=True)
def send_due_digests_task(now: str | None = None) -> dict:
    from .services import digests_send_due

    moment = datetime.fromisoformat(now) if now else None
    return digests_send_due(now=moment).as_dict()
