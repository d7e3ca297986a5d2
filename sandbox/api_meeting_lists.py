"""Operations 6–8 of the reference: scheduled and past meetings of the caller, of an
organizer and of a group, in the older (``/meetings?scheduled|history``) and newer
(``/upcomingMeetings``, ``/historicalMeetings``) path forms."""

from __future__ import annotations

from collections.abc import Callable

from sandbox import shapes
from sandbox.api_context import API_PREFIX, ApiCall
from sandbox.http_types import Response, json_response
from sandbox.routing import Route, route
from sandbox.validation import bad, date_range, is_true


def _old_mode(call: ApiCall) -> str:
    """``scheduled`` or ``history`` (mutually exclusive, one required)."""
    scheduled, history = is_true(call.query, "scheduled"), is_true(call.query, "history")
    if scheduled and history:
        raise bad("scheduled and history are mutually exclusive")
    if not scheduled and not history:
        raise bad("Give scheduled=true, or history=true with startDate and endDate")
    return "scheduled" if scheduled else "history"


def _scheduled(call: ApiCall, hosts: list[int], shape: Callable[[dict], dict]) -> Response:
    """Meetings of ``hosts`` that have not ended, oldest start first."""
    meetings = [m for key in hosts for m in call.store.upcoming_of(key, call.now)]
    meetings.sort(key=lambda m: (m["startTime"], m["meetingId"]))
    return json_response(200, [shape(m) for m in meetings])


def _history(call: ApiCall, hosts: list[int], shape: Callable[[dict], dict]) -> Response:
    """Instances of ``hosts`` started within ``startDate``..``endDate`` (at most 60 days)."""
    start, end = date_range(call.query)
    found = [i for key in hosts for i in call.store.instances_of(key, start, end)]
    found.sort(key=lambda i: (i["startTime"], i["meetingInstanceKey"]))
    return json_response(200, [shape(i) for i in found])


# -- the caller's own meetings (6) -----------------------------------------------------------
def my_meetings(call: ApiCall) -> Response:
    """``GET /meetings?scheduled=true`` or ``?history=true&startDate&endDate``."""
    store, hosts = call.store, [call.caller_key]
    if _old_mode(call) == "scheduled":
        return _scheduled(call, hosts, lambda m: shapes.scheduled_own(m, call.status_of(m)))
    return _history(call, hosts, lambda i: shapes.history_old(store, i))


def my_upcoming(call: ApiCall) -> Response:
    """``GET /upcomingMeetings``."""
    store = call.store
    return _scheduled(
        call, [call.caller_key], lambda m: shapes.upcoming(store, m, call.status_of(m))
    )


def my_historical(call: ApiCall) -> Response:
    """``GET /historicalMeetings?startDate&endDate``."""
    store = call.store
    return _history(call, [call.caller_key], lambda i: shapes.history_new(store, i))


# -- one organizer's meetings (7) -------------------------------------------------------------
def organizer_meetings(call: ApiCall) -> Response:
    """``GET /organizers/{organizerKey}/meetings?scheduled|history``."""
    store, hosts = call.store, [call.organizer_param()["organizerKey"]]
    if _old_mode(call) == "scheduled":
        return _scheduled(
            call, hosts, lambda m: shapes.scheduled_by_organizer(store, m, call.status_of(m))
        )
    return _history(call, hosts, lambda i: shapes.history_old(store, i))


def organizer_upcoming(call: ApiCall) -> Response:
    """``GET /organizers/{organizerKey}/upcomingMeetings``."""
    store, hosts = call.store, [call.organizer_param()["organizerKey"]]
    return _scheduled(call, hosts, lambda m: shapes.upcoming(store, m, call.status_of(m)))


def organizer_historical(call: ApiCall) -> Response:
    """``GET /organizers/{organizerKey}/historicalMeetings?startDate&endDate``."""
    store, hosts = call.store, [call.organizer_param()["organizerKey"]]
    return _history(call, hosts, lambda i: shapes.history_new(store, i))


# -- a group's meetings (8) ---------------------------------------------------------------------
def group_meetings(call: ApiCall) -> Response:
    """``GET /groups/{groupKey}/meetings?scheduled|history``."""
    store = call.store
    hosts = call.hosts_in(call.group_param(size_limited=True))
    if _old_mode(call) == "scheduled":
        return _scheduled(
            call, hosts, lambda m: shapes.scheduled_by_group(store, m, call.status_of(m))
        )
    return _history(call, hosts, lambda i: shapes.history_old(store, i))


def group_upcoming(call: ApiCall) -> Response:
    """``GET /groups/{groupKey}/upcomingMeetings``."""
    store = call.store
    hosts = call.hosts_in(call.group_param(size_limited=True))
    return _scheduled(
        call, hosts, lambda m: shapes.upcoming(store, m, call.status_of(m), with_group=True)
    )


def group_historical(call: ApiCall) -> Response:
    """``GET /groups/{groupKey}/historicalMeetings?startDate&endDate``."""
    store = call.store
    hosts = call.hosts_in(call.group_param(size_limited=True))
    return _history(call, hosts, lambda i: shapes.history_new(store, i))


ROUTES: list[Route] = [
    route("GET", f"{API_PREFIX}/meetings", my_meetings),
    route("GET", f"{API_PREFIX}/upcomingMeetings", my_upcoming),
    route("GET", f"{API_PREFIX}/historicalMeetings", my_historical),
    route("GET", f"{API_PREFIX}/organizers/{{organizerKey}}/meetings", organizer_meetings),
    route("GET", f"{API_PREFIX}/organizers/{{organizerKey}}/upcomingMeetings", organizer_upcoming),
    route(
        "GET", f"{API_PREFIX}/organizers/{{organizerKey}}/historicalMeetings", organizer_historical
    ),
    route("GET", f"{API_PREFIX}/groups/{{groupKey}}/meetings", group_meetings),
    route("GET", f"{API_PREFIX}/groups/{{groupKey}}/upcomingMeetings", group_upcoming),
    route("GET", f"{API_PREFIX}/groups/{{groupKey}}/historicalMeetings", group_historical),
]
