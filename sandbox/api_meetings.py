"""Operations 1–5 of the reference: create, update, delete, get and start a meeting."""

from __future__ import annotations

from sandbox import shapes
from sandbox.api_context import API_PREFIX, ApiCall
from sandbox.http_types import Response, empty_response, json_response
from sandbox.routing import Route, route
from sandbox.validation import meeting_fields


def create_meeting(call: ApiCall) -> Response:
    """``POST /meetings``: a scheduled meeting for the calling organizer."""
    fields = meeting_fields(call.request.json_body(), set(call.store.org_by_key))
    meeting = call.store.create_meeting(call.caller, fields, call.now)
    return json_response(201, [shapes.meeting_created(meeting, call.base_url)])


def update_meeting(call: ApiCall) -> Response:
    """``PUT /meetings/{meetingId}``."""
    meeting = call.meeting_param()
    fields = meeting_fields(call.request.json_body(), set(call.store.org_by_key))
    call.store.update_meeting(meeting, fields)
    return empty_response(204)


def delete_meeting(call: ApiCall) -> Response:
    """``DELETE /meetings/{meetingId}``."""
    call.store.delete_meeting(call.meeting_param())
    return empty_response(204)


def get_meeting(call: ApiCall) -> Response:
    """``GET /meetings/{meetingId}``: an array of one meeting."""
    meeting = call.meeting_param()
    return json_response(200, [shapes.meeting_detail(meeting, call.status_of(meeting))])


def start_meeting(call: ApiCall) -> Response:
    """``GET /meetings/{meetingId}/start``: the host URL."""
    meeting = call.meeting_param()
    return json_response(200, {"hostURL": f"{call.base_url}/join/{meeting['meetingId']}?host=1"})


ROUTES: list[Route] = [
    route("POST", f"{API_PREFIX}/meetings", create_meeting),
    route("PUT", f"{API_PREFIX}/meetings/{{meetingId}}", update_meeting),
    route("DELETE", f"{API_PREFIX}/meetings/{{meetingId}}", delete_meeting),
    route("GET", f"{API_PREFIX}/meetings/{{meetingId}}", get_meeting),
    route("GET", f"{API_PREFIX}/meetings/{{meetingId}}/start", start_meeting),
]
