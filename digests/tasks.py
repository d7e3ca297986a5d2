"""The digests' beat task: hourly, it sends the digests due (:func:`digests_send_due`)."""

from __future__ import annotations

from celery import shared_task

SEND_DUE_TASK = "digests.send_due"


@shared_task(name=SEND_DUE_TASK, acks_late=True)
def send_due_digests_task() -> dict:
    from .services import digests_send_due

    return digests_send_due().as_dict()
