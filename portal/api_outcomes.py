"""What a write does when GoTo's answer was lost (``OutcomeUnknown``): look, say, re-check later.

One place for the rule the organizers' and meetings' services share. A timeout or a gateway
error on a write does not mean "nothing was changed": the write may have been done, or may
still be done, at GoTo. So the service

1. looks at GoTo, within ``GOTO_OUTCOME_CHECK_SECONDS``, whether it was done
   (:func:`check_outcome`); when it was, it updates the cache and reports success, with
   :func:`mark_done_late` so the page can say GoTo was slow;
2. otherwise tells the user that the outcome is unknown (:func:`unknown_outcome_message`,
   never "nothing was changed; try again"), records a failure audit entry whose detail starts
   with :data:`UNKNOWN_DETAIL`, and
3. asks a Celery task to re-read the object from GoTo a minute later (:func:`reconcile_later`);
   the regular sync catches up too, should the task never run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import transaction

from gotomeeting.errors import ApiError

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient

logger = logging.getLogger(__name__)

Found = TypeVar("Found")

#: How the audit detail of a write with an unknown outcome begins (the outcome stays "failure").
UNKNOWN_DETAIL = "Outcome unknown"

_NOTE_ATTRIBUTE = "goto_outcome_note"


def check_outcome(client: GoToMeetingClient, look: Callable[[], Found]) -> Found | None:
    """Run ``look`` (reads at GoTo) within ``GOTO_OUTCOME_CHECK_SECONDS`` per call.

    Returns what ``look`` returns, or None when GoTo cannot answer in time either; a falsy
    answer means "not done as far as GoTo says now" — it may still happen.
    """
    try:
        with checking_time(client):
            return look()
    except ApiError as exc:
        logger.info("Could not check the outcome of a write at GoTo: %s", exc)
        return None


def checking_time(client: GoToMeetingClient) -> AbstractContextManager[GoToMeetingClient]:
    """Limit each call in the block to ``GOTO_OUTCOME_CHECK_SECONDS`` (a quick look at GoTo)."""
    return client.time_limit(settings.GOTO_OUTCOME_CHECK_SECONDS)


def unknown_outcome_message(what: str, *, advice: str = "check it before trying again.") -> str:
    """The sentence for people when GoTo may or may not have done ``what``."""
    return (
        f"GoTo did not answer in time, so the portal cannot tell yet whether it could {what}: "
        "GoTo may still be doing it. The portal asks GoTo again in about a minute and updates "
        f"its list; {advice}"
    )


def mark_done_late(instance: Any, note: str = "GoTo was slow to answer, but it was done.") -> Any:
    """Mark a saved object as done although GoTo's answer to the write was lost."""
    setattr(instance, _NOTE_ATTRIBUTE, note)
    return instance


def outcome_note(instance: Any) -> str:
    """The note :func:`mark_done_late` left on ``instance`` ("" when the write went normally)."""
    return getattr(instance, _NOTE_ATTRIBUTE, "")


def reconcile_later(task_name: str, **kwargs: Any) -> None:
    """Send ``task_name`` with ``kwargs`` to re-read at GoTo what a write may have changed.

    Sent once the current transaction commits, to run ``GOTO_RECONCILE_DELAY_SECONDS`` later; a
    broker that cannot be reached is logged, not raised (the page has already answered, and the
    regular sync re-reads the same data).
    """

    def send() -> None:
        from kombu.exceptions import OperationalError

        from portal.celery import app

        try:
            app.send_task(
                task_name,
                kwargs=kwargs,
                countdown=settings.GOTO_RECONCILE_DELAY_SECONDS,
                retry=False,
            )
        except (OperationalError, OSError):
            logger.warning("Could not queue %s %s; the next sync will catch up.", task_name, kwargs)

    transaction.on_commit(send)


def reconcile_client(acting_user: Any, *, or_service: bool) -> GoToMeetingClient | None:
    """The client a reconcile task reads with: the acting user's token, with the background
    deadline; else (``or_service``) the service connection; None when there is neither."""
    from accounts.connections import client_for_user, service_client
    from accounts.tokens import TokenRevoked

    deadline = settings.GOTO_BACKGROUND_DEADLINE_SECONDS
    try:
        if acting_user is not None:
            return client_for_user(acting_user, deadline=deadline)
    except TokenRevoked:
        pass
    if not or_service:
        return None
    try:
        return service_client(deadline=deadline)
    except TokenRevoked:
        return None
