"""Operations 14 and 19 of the reference: the account's groups and a group's organizers."""

from __future__ import annotations

from sandbox import shapes
from sandbox.api_context import API_PREFIX, ApiCall
from sandbox.http_types import Response, json_response
from sandbox.routing import Route, route


def list_groups(call: ApiCall) -> Response:
    """``GET /groups`` (admin): the probe the portal uses to tell admins apart."""
    call.require_admin()
    return json_response(200, [shapes.group(call.store, g) for g in call.store.groups])


def group_organizers(call: ApiCall) -> Response:
    """``GET /groups/{groupKey}/organizers`` (admin). Not limited to 50 organizers: this is
    how a client finds the members of a big group to fall back to per-organizer calls."""
    group = call.group_param(size_limited=False)
    members = call.store.organizers_in_group(group["groupkey"])
    return json_response(200, [shapes.organizer(call.store, o) for o in members])


ROUTES: list[Route] = [
    route("GET", f"{API_PREFIX}/groups", list_groups),
    route("GET", f"{API_PREFIX}/groups/{{groupKey}}/organizers", group_organizers),
]
