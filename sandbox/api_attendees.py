"""Operations 16–18 of the reference: attendees by meeting instance, organizer and group."""

from __future__ import annotations

from collections.abc import Callable

from sandbox import shapes
from sandbox.api_context import API_PREFIX, ApiCall, access_denied, not_found
from sandbox.http_types import Response, json_response
from sandbox.routing import Route, route
from sandbox.validation import date_range


def _rows(call: ApiCall, instances: list[dict], shape: Callable[[dict, list], dict]) -> Response:
    items = [
        shape(instance, row) for instance in instances for row in call.store.attendee_rows(instance)
    ]
    return json_response(200, items)


def attendees_by_meeting(call: ApiCall) -> Response:
    """``GET /meetings/{meetingInstanceKey}/attendees``; the older meetingId form is
    accepted too (then the attendees of every instance of that meeting)."""
    key = call.key_param("meetingId")
    store = call.store
    instance = store.instance(key)
    if instance is not None:
        instances = [instance]
        owner = instance["organizerKey"]
    elif (instances := store.instances_of_meeting(key)) or store.meeting(key) is not None:
        meeting = store.meeting(key)
        owner = meeting["organizerKey"] if meeting else instances[0]["organizerKey"]
    else:
        raise not_found("Meeting instance")
    if owner != call.caller_key and not call.is_admin:
        raise access_denied()
    return _rows(call, instances, lambda i, r: shapes.attendee_by_meeting(store, i, r))


def attendees_by_organizer(call: ApiCall) -> Response:
    """``GET /organizers/{organizerKey}/attendees?startDate&endDate``."""
    organizer = call.organizer_param()
    start, end = date_range(call.query)
    instances = call.store.instances_of(organizer["organizerKey"], start, end)
    store = call.store
    return _rows(call, instances, lambda i, r: shapes.attendee_by_organizer(store, i, r))


def attendees_by_group(call: ApiCall) -> Response:
    """``GET /groups/{groupKey}/attendees?startDate&endDate`` (admin, groups of <= 50)."""
    hosts = call.hosts_in(call.group_param(size_limited=True))
    start, end = date_range(call.query)
    instances = [i for key in hosts for i in call.store.instances_of(key, start, end)]
    instances.sort(key=lambda i: (i["startTime"], i["meetingInstanceKey"]))
    store = call.store
    return _rows(call, instances, lambda i, r: shapes.attendee_by_group(store, i, r))


ROUTES: list[Route] = [
    route("GET", f"{API_PREFIX}/meetings/{{meetingId}}/attendees", attendees_by_meeting),
    route("GET", f"{API_PREFIX}/organizers/{{organizerKey}}/attendees", attendees_by_organizer),
    route("GET", f"{API_PREFIX}/groups/{{groupKey}}/attendees", attendees_by_group),
]
