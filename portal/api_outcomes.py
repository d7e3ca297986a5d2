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

It is also the one vocabulary of API errors shown to people: :func:`describe` maps each typed
error of the client (``gotomeeting.errors``) and a missing or revoked sign-in (``TokenRevoked``)
to one :class:`ApiOutcome` — the sentence, whether trying again may help, the message level,
whether the user must sign in again. Each is a failure in the audit log (an unknown outcome
too: :func:`audit_detail` starts its detail with :data:`UNKNOWN_DETAIL`). Organizers,
meetings, the import and the sync all word errors through it, and services raise one shape,
:class:`ActionFailed` (:func:`action_failed`). A GoTo sign-in that no longer works is never an
"action failed" message: the service records the failure, then raises ``TokenRevoked``, which
``accounts.middleware.GoToSessionEndedMiddleware`` turns into a sign-out with
:data:`SIGN_IN_ENDED_MESSAGE`, the same from every view. No sentence names a host or a port:
the client's errors do not carry them (``TransportError``), and the API's own message is
shown only for a 400, where it says what was wrong with the input.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.db import transaction

from accounts.tokens import TokenRevoked
from gotomeeting import errors
from gotomeeting.errors import ApiError

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient

logger = logging.getLogger(__name__)

Found = TypeVar("Found")

#: How the audit detail of a write with an unknown outcome begins (the outcome stays "failure").
UNKNOWN_DETAIL = "Outcome unknown"

_NOTE_ATTRIBUTE = "goto_outcome_note"

#: The one sentence for a GoTo sign-in that is missing, expired beyond refresh, or revoked.
SIGN_IN_ENDED_MESSAGE = (
    "Your GoTo sign-in has expired or was revoked; please sign in again. Nothing more was "
    "sent to GoTo once it ended (the audit log shows anything done before)."
)


# --- the vocabulary of API errors ---------------------------------------------------------------


@dataclass(frozen=True)
class ApiOutcome:
    """What people are told about an API error, and what the portal does about it.

    ``reason`` says what GoTo did ("GoTo had a server error (500)."); ``message`` adds the
    advice and, when :func:`describe` was given ``what``, starts with "Could not <what>:".
    ``retryable``: the same action may work a little later (429, 5xx, no answer);
    ``stops_batch``: a bulk action asks GoTo about no more organizers (it would wait as long
    again for each); ``ends_sign_in``: the user must sign in again (the middleware signs out).
    """

    message: str
    reason: str
    retryable: bool = False
    level: int = messages.ERROR
    stops_batch: bool = False
    ends_sign_in: bool = False


def describe(error: BaseException, *, what: str = "", advice: str | None = None) -> ApiOutcome:
    """The one wording of ``error`` for people (``what``: "suspend Ada (ada@acme.example)").

    ``advice`` replaces the default advice of a write whose outcome is unknown only (an invite
    and a create have their own: sending them again is safe, or looked up first).
    """
    reason, default_advice, options = _vocabulary(error)
    if isinstance(error, errors.OutcomeUnknown):
        text = unknown_outcome_message(what or "do it", advice=advice or default_advice)
        return ApiOutcome(message=text, reason=reason, **options)
    text = f"{reason} {default_advice}".strip()
    if what:
        text = f"Could not {what}: {text}"
    return ApiOutcome(message=text, reason=reason, **options)


def _vocabulary(error: BaseException) -> tuple[str, str, dict[str, Any]]:
    """(reason, advice, ApiOutcome options) of each kind of error; the most specific first."""
    if isinstance(error, TokenRevoked | errors.Unauthorized):
        return SIGN_IN_ENDED_MESSAGE, "", {"ends_sign_in": True}
    if isinstance(error, errors.OutcomeUnknown):
        return (
            "GoTo did not answer in time.",
            "check it before trying again.",
            {"retryable": True, "stops_batch": True, "level": messages.WARNING},
        )
    if isinstance(error, errors.RateLimited):
        wait = (
            f"try again in {int(error.retry_after + 0.999)} s."
            if error.retry_after
            else "try again in a minute."
        )
        return (
            "GoTo is limiting how fast the portal may call it (429).",
            f"Nothing was changed; {wait}",
            {"retryable": True, "stops_batch": True},
        )
    if isinstance(error, errors.TransportError):
        return (
            "GoTo did not answer in time or could not be reached.",
            "Nothing was changed; try again in a minute.",
            {"retryable": True, "stops_batch": True},
        )
    if isinstance(error, errors.ServerError):
        return (
            f"GoTo had a server error ({error.status}).",
            "Nothing was changed; try again in a few minutes.",
            {"retryable": True},
        )
    if isinstance(error, errors.NotFound):
        return (
            "GoTo does not know it (404): it may have been deleted elsewhere.",
            "Nothing was changed here; the next sync will catch up.",
            {},
        )
    if isinstance(error, errors.Conflict):
        return "GoTo says it already exists (409).", "Nothing was changed.", {}
    if isinstance(error, errors.Forbidden):
        return (
            "GoTo refused (403): your GoTo user is not allowed to do this (organizers can be "
            "changed by a GoTo account admin only, a meeting by its organizer only).",
            "Nothing was changed.",
            {},
        )
    if isinstance(error, errors.InvalidRequest):
        said = error.message.strip().rstrip(".")
        return f"GoTo refused the request (400): {said}.", "Nothing was changed.", {}
    if isinstance(error, errors.UnexpectedResponse):
        return (
            "GoTo answered in a way the portal does not understand.",
            "Try again later; if it lasts, tell the portal's operators.",
            {"retryable": True},
        )
    status = f" ({error.status})" if isinstance(error, ApiError) and error.status else ""
    return (
        f"GoTo answered with an error{status}.",
        "Try again later; if it lasts, tell the portal's operators.",
        {},
    )


# host:port, or a URL's scheme and host: never shown to people (the logs keep them).
_ADDRESS = re.compile(
    r"\b(?:[a-z][a-z0-9+.-]*://[^\s/]+|(?:[\w-]+(?:\.[\w-]+)+|localhost):\d{2,5})\b",
    re.IGNORECASE,
)


def without_addresses(text: str) -> str:
    """``text`` (e.g. a broker's or Redis's error) with any host:port or URL host hidden."""
    return _ADDRESS.sub("(address hidden)", text)


class ActionFailed(Exception):
    """A write to GoTo failed or its outcome is unknown; ``message`` is written for people.

    The one shape services raise (``organizers`` and ``meetings`` subclass it only to name
    their area); ``api_error`` is the client's error, if any, and ``outcome`` its wording.
    """

    def __init__(
        self,
        message: str,
        *,
        api_error: BaseException | None = None,
        outcome: ApiOutcome | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.api_error = api_error
        self.outcome = outcome

    @property
    def stops_batch(self) -> bool:
        return bool(self.outcome and self.outcome.stops_batch)

    @property
    def level(self) -> int:
        """The message level to show it with (a warning when it may still have been done)."""
        return self.outcome.level if self.outcome else messages.ERROR


def audit_detail(message: str, error: BaseException | None) -> str:
    """The failure audit entry's detail: the message, the client's error, and the
    :data:`UNKNOWN_DETAIL` prefix when the outcome is unknown."""
    detail = message if error is None else f"{message} [{error}]"
    if isinstance(error, errors.OutcomeUnknown):
        detail = f"{UNKNOWN_DETAIL}: {detail}"
    return detail


def action_failed(
    error: BaseException,
    *,
    what: str,
    advice: str | None = None,
    message: str = "",
    failure: type[ActionFailed] = ActionFailed,
) -> Exception:
    """The exception a service raises for ``error`` (after recording its failure entry):
    ``TokenRevoked`` when the GoTo sign-in no longer works (the middleware signs the user out),
    else ``failure`` with the vocabulary's sentence (or ``message``)."""
    outcome = describe(error, what=what, advice=advice)
    if outcome.ends_sign_in:
        return TokenRevoked(outcome.message)
    return failure(message or outcome.message, api_error=error, outcome=outcome)


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
