"""The control API under ``/_sandbox/`` (no auth, loopback only) for tests and demos."""

from __future__ import annotations

from typing import Protocol

from sandbox.faults import Faults, RateLimiter
from sandbox.http_types import ApiError, Request, Response, json_response
from sandbox.oauth import issue_tokens
from sandbox.routing import Route, route
from sandbox.stats import RequestStats
from sandbox.store import Store
from sandbox.tokens import TokenStore

MAX_HELD_ATTENDEES = 300


class ControlApp(Protocol):
    """The parts of the sandbox the control endpoints use."""

    store: Store
    tokens: TokenStore
    faults: Faults
    limiter: RateLimiter
    stats: RequestStats
    token_ttl: int

    def now(self) -> float: ...

    def set_faults(self, changes: dict) -> None: ...

    def reset_data(self) -> None: ...


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _body(request: Request) -> dict:
    try:
        body = request.json_body()
    except ApiError:
        body = None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


def health(app: ControlApp, request: Request) -> Response:
    return json_response(200, {"ok": True})


def get_faults(app: ControlApp, request: Request) -> Response:
    return json_response(200, app.faults.as_dict())


def post_faults(app: ControlApp, request: Request) -> Response:
    """Change some fault settings; answers with all of them."""
    try:
        changes = app.faults.validated_update(_body(request))
    except ValueError as exc:
        return _error(400, str(exc))
    app.set_faults(changes)
    return json_response(200, app.faults.as_dict())


def reset(app: ControlApp, request: Request) -> Response:
    """Regenerate the data from the seed (tokens of organizers that still exist stay valid)."""
    app.reset_data()
    return json_response(200, {"ok": True, "anchor": app.store.meta["anchor"]})


def _email(request: Request) -> str:
    email = _body(request).get("email")
    if not isinstance(email, str) or not email.strip():
        raise ValueError("email is required")
    return email.strip().lower()


def confirm_organizer(app: ControlApp, request: Request) -> Response:
    """A pending organizer accepts the invitation: they get a key and can sign in."""
    try:
        email = _email(request)
    except ValueError as exc:
        return _error(400, str(exc))
    organizer = app.store.org_by_email.get(email)
    if organizer is None:
        return _error(404, f"no organizer with e-mail {email}")
    already = organizer["organizerKey"] is not None
    key = app.store.confirm_organizer(organizer)
    return json_response(
        200, {"organizerKey": key, "email": organizer["email"], "already_confirmed": already}
    )


def mint_token(app: ControlApp, request: Request) -> Response:
    """A token answer for a user, without the browser dance."""
    try:
        email = _email(request)
        expires_in = _body(request).get("expires_in", app.token_ttl)
    except ValueError as exc:
        return _error(400, str(exc))
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 0:
        return _error(400, "expires_in must be an integer >= 0")
    organizer = app.store.org_by_email.get(email)
    if organizer is None or organizer["organizerKey"] is None:
        return _error(400, f"{email} is not a confirmed organizer")
    if organizer["status"] != "active":
        return _error(400, f"{email} is suspended")
    return json_response(200, issue_tokens(app, organizer, expires_in))


def state(app: ControlApp, request: Request) -> Response:
    return json_response(200, app.store.snapshot(app.now()))


def stats(app: ControlApp, request: Request) -> Response:
    return json_response(200, app.stats.snapshot())


def reset_stats(app: ControlApp, request: Request) -> Response:
    app.stats.reset()
    return json_response(200, app.stats.snapshot())


def hold_meeting(app: ControlApp, request: Request) -> Response:
    """Turn a meeting into a just-finished instance with ``attendees`` attendees."""
    try:
        attendees = _body(request).get("attendees", 3)
    except ValueError as exc:
        return _error(400, str(exc))
    if isinstance(attendees, bool) or not isinstance(attendees, int):
        return _error(400, "attendees must be an integer")
    if not 0 <= attendees <= MAX_HELD_ATTENDEES:
        return _error(400, f"attendees must be between 0 and {MAX_HELD_ATTENDEES}")
    meeting_id = request.params["meetingId"]
    meeting = app.store.meetings.get(int(meeting_id)) if meeting_id.isdigit() else None
    if meeting is None:
        return _error(404, f"no meeting {meeting_id}")
    instance = app.store.hold_meeting(meeting, attendees, app.now())
    return json_response(200, dict(instance))


def start_meeting(app: ControlApp, request: Request) -> Response:
    """The host starts a meeting now (it becomes ACTIVE until its end time)."""
    meeting_id = request.params["meetingId"]
    meeting = app.store.meetings.get(int(meeting_id)) if meeting_id.isdigit() else None
    if meeting is None:
        return _error(404, f"no meeting {meeting_id}")
    app.store.start_meeting(meeting, app.now())
    return json_response(200, {**meeting, "status": "ACTIVE"})


def start_instant_meeting(app: ControlApp, request: Request) -> Response:
    """An organizer starts an instant meeting ("Meet now") that nobody scheduled."""
    try:
        minutes = _body(request).get("minutes", 30)
    except ValueError as exc:
        return _error(400, str(exc))
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        return _error(400, "minutes must be an integer between 1 and 1440")
    key = request.params["organizerKey"]
    organizer = app.store.org_by_key.get(int(key)) if key.isdigit() else None
    if organizer is None or organizer["status"] != "active":
        return _error(404, f"no active organizer {key}")
    meeting = app.store.start_instant_meeting(organizer, minutes, app.now())
    return json_response(200, {**meeting, "status": "ACTIVE"})


ROUTES: list[Route] = [
    route("GET", "/_sandbox/health", health),
    route("GET", "/_sandbox/faults", get_faults),
    route("POST", "/_sandbox/faults", post_faults),
    route("POST", "/_sandbox/reset", reset),
    route("POST", "/_sandbox/organizers/confirm", confirm_organizer),
    route("POST", "/_sandbox/tokens", mint_token),
    route("GET", "/_sandbox/state", state),
    route("GET", "/_sandbox/stats", stats),
    route("POST", "/_sandbox/stats/reset", reset_stats),
    route("POST", "/_sandbox/meetings/{meetingId}/hold", hold_meeting),
    route("POST", "/_sandbox/meetings/{meetingId}/start", start_meeting),
    route("POST", "/_sandbox/organizers/{organizerKey}/instant", start_instant_meeting),
]
