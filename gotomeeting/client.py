"""GoToMeetingClient: one method per GoToMeeting API operation, typed in and out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import requests

from .auth import DEFAULT_TIMEOUT, OAuthConfig
from .budget import CallBudget
from .errors import ApiError, NotFound, UnexpectedResponse, excerpt, is_route_missing
from .models import (
    Attendee,
    CreatedOrganizer,
    Group,
    HistoricalMeeting,
    Meeting,
    MeetingCreated,
    MeetingRequest,
    Organizer,
    OrganizerRequest,
    OrganizerStatus,
    ProductType,
    ScheduledMeeting,
)
from .parsing import ApiFields, format_datetime
from .retry_policy import RetryPolicy
from .token_keeper import Token, TokenKeeper
from .transport import CallRecord, Transport
from .windows import split_windows, unique_by

Model = TypeVar("Model")


class GoToMeetingClient:
    """A GoToMeeting account seen through one user's OAuth token.

    Refreshes the token ahead of expiry and after a 403 ``InvalidToken``, retries what may
    safely be retried, splits history ranges into 60-day windows, and raises the typed
    errors of ``gotomeeting.errors``. Make one per account and worker: refreshes are
    serialised, but ``calls_made`` is a plain counter.

    ``deadline`` bounds each operation, retries and waits included (None: only the retry
    policy's own limits); a page passes what it can afford, background work a longer one.

    ``on_send(operation, status)`` is told about every request sent, retries included (status
    None when no answer came): what GoTo counts against the token's limit, for the portal's
    usage counts. ``on_call`` is told once per operation, for the log.
    """

    def __init__(
        self,
        *,
        api_base_url: str,
        oauth: OAuthConfig,
        token: Token,
        token_updater: Callable[[Token], None] | None = None,
        token_loader: Callable[[], Token | None] | None = None,
        refresh_lock: Callable[[], AbstractContextManager[Any]] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 4,
        max_retry_seconds: float = 30.0,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_call: Callable[[CallRecord], None] | None = None,
        budget: CallBudget | None = None,
        on_send: Callable[[str, int | None], None] | None = None,
    ):
        if deadline is not None and deadline <= 0:
            raise ValueError("deadline must be a positive number of seconds (or None)")
        keeper = TokenKeeper(
            oauth=oauth,
            token=token,
            token_updater=token_updater,
            token_loader=token_loader,
            refresh_lock=refresh_lock,
            # A refresh happens inside an operation: it must not outlast the operation's deadline.
            timeout=timeout if deadline is None else (timeout[0], min(timeout[1], deadline)),
        )
        self._transport = Transport(
            api_base_url=api_base_url,
            keeper=keeper,
            client_id=oauth.client_id,
            token_url=oauth.token_url,
            timeout=timeout,
            retry_policy=RetryPolicy(max_retries=max_retries, max_retry_seconds=max_retry_seconds),
            deadline=deadline,
            sleep=sleep,
            clock=clock,
            on_call=on_call,
            budget=budget,
            on_send=on_send,
        )
        self._limited = False

    @property
    def calls_made(self) -> int:
        """Return how many HTTP requests went to the API, retries included."""
        return self._transport.calls_made

    @property
    def token(self) -> Token:
        """Return the current token dict (after any refresh)."""
        return self._transport.keeper.token

    @property
    def retry_policy(self) -> RetryPolicy:
        """Return the retry policy in use (adjustable, e.g. its backoff delays)."""
        return self._transport.retry_policy

    @property
    def deadline(self) -> float | None:
        """Return the seconds each operation may take, retries included (None: no deadline)."""
        return self._transport.deadline

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[GoToMeetingClient]:
        """Give each operation in the block ``seconds`` as its deadline (in a nested block, never
        more than the enclosing block gives).

        For a follow-up call with its own allowance, such as looking up whether a write whose
        answer was lost was done.
        """
        previous = self._transport.deadline
        self._transport.deadline = min(previous, seconds) if self._limited else seconds
        was_limited, self._limited = self._limited, True
        try:
            yield self
        finally:
            self._transport.deadline, self._limited = previous, was_limited

    def close(self) -> None:
        """Close the pooled connections."""
        self._transport.close()

    def __enter__(self) -> GoToMeetingClient:
        """Use the client in a ``with`` block that closes it."""
        return self

    def __exit__(self, *exc_info) -> None:
        """Close the client at the end of the ``with`` block."""
        self.close()

    # Meetings

    def create_meeting(self, request: MeetingRequest) -> MeetingCreated:
        """Create a meeting for the token's user."""
        body = self._call(
            "create_meeting", "POST", "/meetings", body=request.to_json(), creates=True
        )
        return _parse(MeetingCreated, _only_element(body, "create_meeting"))

    def update_meeting(self, meeting_id: int, request: MeetingRequest) -> None:
        """Replace a meeting's subject, times and settings."""
        self._call("update_meeting", "PUT", f"/meetings/{int(meeting_id)}", body=request.to_json())

    def delete_meeting(self, meeting_id: int) -> None:
        """Delete a meeting."""
        self._call("delete_meeting", "DELETE", f"/meetings/{int(meeting_id)}")

    def get_meeting(self, meeting_id: int) -> Meeting:
        """Return one meeting."""
        body = self._call("get_meeting", "GET", f"/meetings/{int(meeting_id)}")
        return _parse(Meeting, _only_element(body, "get_meeting"))

    def get_start_url(self, meeting_id: int) -> str:
        """Return the URL that starts the meeting as its host."""
        body = self._call("get_start_url", "GET", f"/meetings/{int(meeting_id)}/start")
        url = ApiFields(body, "StartUrl").text("hostURL") if isinstance(body, dict) else ""
        if not url:
            raise _unexpected("get_start_url", body)
        return url

    def get_upcoming_meetings(self) -> list[ScheduledMeeting]:
        """Return the token user's upcoming meetings."""
        return self._upcoming("get_upcoming_meetings", "")

    def get_historical_meetings(self, start: datetime, end: datetime) -> list[HistoricalMeeting]:
        """Return the token user's meetings held between ``start`` and ``end``."""
        return self._history("get_historical_meetings", "", start, end)

    def get_organizer_upcoming_meetings(self, organizer_key: int) -> list[ScheduledMeeting]:
        """Return an organizer's upcoming meetings."""
        return self._upcoming(
            "get_organizer_upcoming_meetings", f"/organizers/{int(organizer_key)}"
        )

    def get_organizer_historical_meetings(
        self, organizer_key: int, start: datetime, end: datetime
    ) -> list[HistoricalMeeting]:
        """Return an organizer's meetings held between ``start`` and ``end``."""
        return self._history(
            "get_organizer_historical_meetings", f"/organizers/{int(organizer_key)}", start, end
        )

    def get_group_upcoming_meetings(self, group_key: int) -> list[ScheduledMeeting]:
        """Return the upcoming meetings of a group's organizers (groups of at most 50)."""
        return self._upcoming("get_group_upcoming_meetings", f"/groups/{int(group_key)}")

    def get_group_historical_meetings(
        self, group_key: int, start: datetime, end: datetime
    ) -> list[HistoricalMeeting]:
        """Return a group's meetings held between ``start`` and ``end`` (groups of at most 50)."""
        return self._history(
            "get_group_historical_meetings", f"/groups/{int(group_key)}", start, end
        )

    # Organizers

    def create_organizer(
        self, request: OrganizerRequest, *, group_key: int | None = None
    ) -> CreatedOrganizer:
        """Invite a new organizer, into a group when ``group_key`` is given."""
        path = "/organizers" if group_key is None else f"/groups/{int(group_key)}/organizers"
        body = self._call("create_organizer", "POST", path, body=request.to_json(), creates=True)
        created = _parse(CreatedOrganizer, _only_element(body, "create_organizer"))
        return created if created.email else replace(created, email=request.email)

    def delete_organizer(self, organizer_key: int) -> None:
        """Delete an organizer by key."""
        self._call("delete_organizer", "DELETE", f"/organizers/{int(organizer_key)}")

    def delete_organizer_by_email(self, email: str) -> None:
        """Delete an organizer by email (the only way while they are pending)."""
        self._call("delete_organizer_by_email", "DELETE", "/organizers", params={"email": email})

    def get_organizer(self, organizer_key: int) -> Organizer:
        """Return one organizer by key."""
        body = self._call("get_organizer", "GET", f"/organizers/{int(organizer_key)}")
        return _parse(Organizer, _only_element(body, "get_organizer"))

    def get_organizer_by_email(self, email: str) -> Organizer:
        """Return one organizer by email, pending ones included; NotFound when there is none."""
        body = self._call("get_organizer_by_email", "GET", "/organizers", params={"email": email})
        return _parse(Organizer, _only_element(body, "get_organizer_by_email"))

    def get_organizers_by_group(self, group_key: int) -> list[Organizer]:
        """Return the organizers of a group."""
        body = self._call("get_organizers_by_group", "GET", f"/groups/{int(group_key)}/organizers")
        return _parse_list(Organizer, body, "get_organizers_by_group")

    def get_organizers(self) -> list[Organizer]:
        """Return every organizer of the account."""
        body = self._call("get_organizers", "GET", "/organizers")
        return _parse_list(Organizer, body, "get_organizers")

    def update_organizer_status(
        self,
        organizer_key: int,
        status: OrganizerStatus,
        *,
        product_type: ProductType | None = None,
    ) -> None:
        """Suspend or reactivate an organizer, optionally for one product."""
        body = {"status": OrganizerStatus(status).value}
        if product_type is not None:
            body["productType"] = ProductType(product_type).value
        self._call("update_organizer_status", "PUT", f"/organizers/{int(organizer_key)}", body=body)

    # Attendees

    def get_attendees_by_meeting(self, meeting_instance_key: int) -> list[Attendee]:
        """Return who attended one meeting occurrence."""
        key = int(meeting_instance_key)
        body = self._call("get_attendees_by_meeting", "GET", f"/meetings/{key}/attendees")
        return [
            replace(attendee, meeting_instance_key=key)
            if attendee.meeting_instance_key is None
            else attendee
            for attendee in _parse_list(Attendee, body, "get_attendees_by_meeting")
        ]

    def get_attendees_by_organizer(
        self, organizer_key: int, start: datetime, end: datetime
    ) -> list[Attendee]:
        """Return the attendees of an organizer's meetings held between ``start`` and ``end``."""
        return self._attendees(
            "get_attendees_by_organizer", f"/organizers/{int(organizer_key)}", start, end
        )

    def get_attendees_by_group(
        self, group_key: int, start: datetime, end: datetime
    ) -> list[Attendee]:
        """Return the attendees of a group's meetings held between ``start`` and ``end``."""
        return self._attendees("get_attendees_by_group", f"/groups/{int(group_key)}", start, end)

    # Groups

    def get_groups(self) -> list[Group]:
        """Return every group of the account (admins only: others get Forbidden)."""
        return _parse_list(Group, self._call("get_groups", "GET", "/groups"), "get_groups")

    # Shared plumbing

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        creates: bool = False,
    ) -> Any:
        response = self._transport.request(
            operation, method, path, params=params, body=body, creates=creates
        )
        return _json_body(response, operation)

    def _upcoming(self, operation: str, owner_path: str) -> list[ScheduledMeeting]:
        body = self._with_legacy_fallback(
            operation,
            newer=(f"{owner_path}/upcomingMeetings", {}),
            older=(f"{owner_path}/meetings", {"scheduled": "true"}),
        )
        return _parse_list(ScheduledMeeting, body, operation)

    def _history(
        self, operation: str, owner_path: str, start: datetime, end: datetime
    ) -> list[HistoricalMeeting]:
        meetings: list[HistoricalMeeting] = []
        for window in _date_params(start, end):
            body = self._with_legacy_fallback(
                operation,
                newer=(f"{owner_path}/historicalMeetings", window),
                older=(f"{owner_path}/meetings", {"history": "true", **window}),
            )
            meetings += _parse_list(HistoricalMeeting, body, operation)
        return unique_by(meetings, lambda meeting: meeting.meeting_instance_key)

    def _attendees(
        self, operation: str, owner_path: str, start: datetime, end: datetime
    ) -> list[Attendee]:
        attendees: list[Attendee] = []
        for window in _date_params(start, end):
            body = self._call(operation, "GET", f"{owner_path}/attendees", params=window)
            attendees += _parse_list(Attendee, body, operation)
        return unique_by(attendees, _attendance_identity)

    def _with_legacy_fallback(
        self,
        operation: str,
        *,
        newer: tuple[str, dict[str, str]],
        older: tuple[str, dict[str, str]],
    ) -> Any:
        """Call the newer path; if the API has no such route, call the older form."""
        try:
            return self._call(operation, "GET", newer[0], params=newer[1] or None)
        except NotFound as error:
            if not is_route_missing(error):
                raise
        return self._call(operation, "GET", older[0], params=older[1])


def _date_params(start: datetime, end: datetime) -> list[dict[str, str]]:
    return [
        {"startDate": format_datetime(window_start), "endDate": format_datetime(window_end)}
        for window_start, window_end in split_windows(start, end)
    ]


def _attendance_identity(attendee: Attendee) -> tuple | None:
    if attendee.meeting_instance_key is None and attendee.join_time is None:
        return None
    return (attendee.meeting_instance_key, attendee.attendee_email.lower(), attendee.join_time)


def _json_body(response: requests.Response, operation: str) -> Any:
    if response.status_code == 204 or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        raise UnexpectedResponse(
            response.status_code,
            "UnexpectedResponse",
            f"{operation}: the answer is not JSON: {excerpt(response.text)}",
        ) from None


def _only_element(body: Any, operation: str) -> Any:
    """Unwrap the API's array of one (an object on its own is accepted too)."""
    if isinstance(body, dict):
        return body
    if isinstance(body, list) and body:
        return body[0]
    if isinstance(body, list):
        raise NotFound(404, "NotFound", f"{operation}: the API answered with an empty list.")
    raise _unexpected(operation, body)


def _parse(model: type[Model], data: Any) -> Model:
    try:
        return model.from_api(data)
    except (TypeError, ValueError) as error:
        raise UnexpectedResponse(None, "UnexpectedResponse", str(error)) from error


def _parse_list(model: type[Model], body: Any, operation: str) -> list[Model]:
    if body is None:
        return []
    if not isinstance(body, list):
        raise _unexpected(operation, body)
    return [_parse(model, item) for item in body]


def _unexpected(operation: str, body: Any) -> ApiError:
    shape = type(body).__name__
    return UnexpectedResponse(
        None, "UnexpectedResponse", f"{operation}: unexpected answer shape ({shape})."
    )
