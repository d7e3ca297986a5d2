"""Plain pages: the index at ``/``, the join page that ``joinURL``/``hostURL`` point to, and
``/favicon.ico`` (``sandbox/favicon.ico``, drawn by ``scripts/make_favicons.py``)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Protocol

from sandbox.http_types import Request, Response, html_response
from sandbox.routing import Route, route
from sandbox.store import Store

FAVICON = (Path(__file__).parent / "favicon.ico").read_bytes()
# Every HTML page of the sandbox links it (here and in ``signin_page``).
FAVICON_LINK = '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">'


class PagesApp(Protocol):
    store: Store

    def now(self) -> float: ...


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{FAVICON_LINK}'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:640px;'
        f'margin:40px auto">{body}</body></html>'
    )


def index(app: PagesApp, request: Request) -> Response:
    meta = app.store.meta
    body = (
        "<h1>GoToMeeting sandbox</h1>"
        f"<p>Seed {escape(str(meta['seed']))}, size {escape(meta['size'])}, anchored at "
        f"{escape(meta['anchor'])}.</p><ul>"
        "<li>API base: <code>/G2M/rest</code></li>"
        "<li>OAuth: <code>/oauth/authorize</code>, <code>/oauth/token</code>, "
        "<code>/oauth/access_token</code></li>"
        "<li>Control: <code>/_sandbox/faults</code>, <code>/_sandbox/state</code>, "
        "<code>/_sandbox/stats</code></li></ul>"
    )
    return html_response(200, _page("GoToMeeting sandbox", body))


def join(app: PagesApp, request: Request) -> Response:
    """What a participant (or, with ``?host=1``, the organizer) sees for a meeting."""
    meeting_id = request.params["meetingId"]
    meeting = app.store.meetings.get(int(meeting_id)) if meeting_id.isdigit() else None
    if meeting is None:
        return html_response(404, _page("Meeting not found", "<h1>Meeting not found</h1>"))
    role = "host" if request.query.get("host") == "1" else "participant"
    state = "in progress" if app.store.is_active(meeting, app.now()) else "not running"
    body = (
        f"<h1>{escape(meeting['subject'])}</h1>"
        f"<p>Meeting ID <strong>{meeting['meetingId']}</strong> — joining as {role}.</p>"
        f"<p>{escape(meeting['startTime'])} to {escape(meeting['endTime'])} ({state}).</p>"
        "<p>This is the local sandbox: no GoToMeeting client is launched.</p>"
    )
    return html_response(200, _page(meeting["subject"], body))


def favicon(app: PagesApp, request: Request) -> Response:
    return Response(200, FAVICON, "image/x-icon", {"Cache-Control": "public, max-age=86400"})


ROUTES: list[Route] = [
    route("GET", "/", index),
    route("GET", "/favicon.ico", favicon),
    route("GET", "/join/{meetingId}", join),
]
