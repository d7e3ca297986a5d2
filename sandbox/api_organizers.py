"""Operations 9–15 of the reference: create, delete, get and update organizers."""

from __future__ import annotations

from sandbox import shapes
from sandbox.api_context import API_PREFIX, ApiCall, not_found
from sandbox.demo_account import TOP_GROUP, group_spec
from sandbox.http_types import ApiError, Response, empty_response, json_response
from sandbox.routing import Route, route
from sandbox.validation import bad, organizer_fields, organizer_update


def _create(call: ApiCall, group_key: int) -> Response:
    fields = organizer_fields(call.request.json_body())
    if fields["email"].lower() in call.store.org_by_email:
        raise ApiError(409, "Conflict", f"An organizer with e-mail {fields['email']} exists")
    record = call.store.create_organizer(**fields, group_key=group_key, now=call.now)
    return json_response(201, [shapes.organizer_created(record)])


def create_organizer(call: ApiCall) -> Response:
    """``POST /organizers``: invite an organizer into the top-level group (admin)."""
    call.require_admin()
    return _create(call, group_spec(TOP_GROUP).key)


def create_organizer_in_group(call: ApiCall) -> Response:
    """``POST /groups/{groupKey}/organizers`` (admin)."""
    group = call.group_param(size_limited=False)
    return _create(call, group["groupkey"])


def _by_email(call: ApiCall) -> dict:
    email = call.query.get("email", "").strip()
    if not email:
        raise bad("email is required")
    record = call.store.org_by_email.get(email.lower())
    if record is None:
        raise not_found("Organizer")
    return record


def list_organizers(call: ApiCall) -> Response:
    """``GET /organizers?email=…`` (one) or ``GET /organizers`` (all) (admin)."""
    call.require_admin()
    if "email" in call.query:
        return json_response(200, [shapes.organizer(call.store, _by_email(call))])
    return json_response(200, [shapes.organizer(call.store, o) for o in call.store.organizers])


def delete_organizer_by_email(call: ApiCall) -> Response:
    """``DELETE /organizers?email=…`` (admin); works for pending organizers too."""
    call.require_admin()
    call.store.delete_organizer(_by_email(call))
    return empty_response(204)


def get_organizer(call: ApiCall) -> Response:
    """``GET /organizers/{organizerKey}``: one's own, or anyone's for an admin."""
    return json_response(200, [shapes.organizer(call.store, call.organizer_param())])


def delete_organizer(call: ApiCall) -> Response:
    """``DELETE /organizers/{organizerKey}`` (admin)."""
    call.require_admin()
    call.store.delete_organizer(call.organizer_param())
    return empty_response(204)


def update_organizer(call: ApiCall) -> Response:
    """``PUT /organizers/{organizerKey}``: status and/or product (admin)."""
    call.require_admin()
    record = call.organizer_param()
    status, product_type = organizer_update(call.request.json_body())
    call.store.update_organizer(record, status=status, product_type=product_type)
    return empty_response(204)


ROUTES: list[Route] = [
    route("POST", f"{API_PREFIX}/organizers", create_organizer),
    route("GET", f"{API_PREFIX}/organizers", list_organizers),
    route("DELETE", f"{API_PREFIX}/organizers", delete_organizer_by_email),
    route("GET", f"{API_PREFIX}/organizers/{{organizerKey}}", get_organizer),
    route("DELETE", f"{API_PREFIX}/organizers/{{organizerKey}}", delete_organizer),
    route("PUT", f"{API_PREFIX}/organizers/{{organizerKey}}", update_organizer),
    route("POST", f"{API_PREFIX}/groups/{{groupKey}}/organizers", create_organizer_in_group),
]
