"""What an API route handler gets: the request, the store, the calling organizer, and
the access rules (own data, admin-only, group size) in one place."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.http_types import ApiError, Request
from sandbox.store import Store
from sandbox.validation import parse_key

API_PREFIX = "/G2M/rest"
MAX_GROUP_ORGANIZERS = 50


def access_denied() -> ApiError:
    return ApiError(403, "AccessDenied", "This operation is only available to account admins")


def not_found(what: str) -> ApiError:
    return ApiError(404, "NotFound", f"{what} not found")


def invalid_token() -> ApiError:
    return ApiError(403, "InvalidToken", "Invalid token passed")


def token_from_header(value: str) -> str | None:
    """The token of ``Bearer <t>`` or ``OAuth oauth_token=<t>``."""
    scheme, _, rest = value.strip().partition(" ")
    rest = rest.strip()
    if scheme.lower() == "bearer" and rest:
        return rest
    if scheme.lower() == "oauth":
        for part in rest.split(","):
            name, _, token = part.strip().partition("=")
            if name.strip() == "oauth_token" and token.strip().strip('"'):
                return token.strip().strip('"')
    return None


@dataclass
class ApiCall:
    """One authenticated API call."""

    request: Request
    store: Store
    caller: dict
    now: float
    base_url: str

    @property
    def query(self) -> dict[str, str]:
        return self.request.query

    @property
    def is_admin(self) -> bool:
        return bool(self.caller["admin"])

    @property
    def caller_key(self) -> int:
        return self.caller["organizerKey"]

    def require_admin(self) -> None:
        if not self.is_admin:
            raise access_denied()

    def key_param(self, name: str) -> int:
        return parse_key(self.request.params[name], name)

    def organizer_param(self) -> dict:
        """The ``{organizerKey}`` organizer: one's own, or anyone's for an admin."""
        key = self.key_param("organizerKey")
        if key == self.caller_key:
            return self.caller
        self.require_admin()
        organizer = self.store.org_by_key.get(key)
        if organizer is None:
            raise not_found("Organizer")
        return organizer

    def group_param(self, *, size_limited: bool) -> dict:
        """The ``{groupKey}`` group (admin only); group-scoped reads refuse > 50 organizers."""
        self.require_admin()
        group = self.store.group_by_key.get(self.key_param("groupKey"))
        if group is None:
            raise not_found("Group")
        if size_limited:
            size = self.store.group_size(group["groupkey"])
            if size > MAX_GROUP_ORGANIZERS:
                raise ApiError(
                    400,
                    "InvalidRequest",
                    f"This call is limited to groups with at most {MAX_GROUP_ORGANIZERS} "
                    f"organizers; group {group['groupkey']} has {size}",
                )
        return group

    def meeting_param(self) -> dict:
        """The ``{meetingId}`` meeting: the caller's own, or any for an admin."""
        meeting = self.store.meeting(self.key_param("meetingId"))
        if meeting is None:
            raise not_found("Meeting")
        if meeting["organizerKey"] != self.caller_key and not self.is_admin:
            raise access_denied()
        return meeting

    def status_of(self, meeting: dict) -> str:
        return "ACTIVE" if self.store.is_active(meeting, self.now) else "INACTIVE"

    def hosts_in(self, group: dict) -> list[int]:
        """Keys of the confirmed organizers of a group."""
        return [
            o["organizerKey"]
            for o in self.store.organizers_in_group(group["groupkey"])
            if o["organizerKey"] is not None
        ]
