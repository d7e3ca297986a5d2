"""The navigation every page shares; items a role may not use are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .permissions import ADMIN, EVERYONE, MANAGERS, user_has_role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


NAV_ITEMS = (
    NavItem("Dashboards", "meetings:dashboard", MANAGERS),
    NavItem("Meetings", "meetings:my_meetings", EVERYONE),
    NavItem("Organizers", "organizers:list", ADMIN),
    NavItem("Groups", "organizers:groups", ADMIN),
    NavItem("Audit log", "accounts:audit_log", ADMIN),
    NavItem("Roles", "accounts:roles", ADMIN),
    NavItem("Sync status", "sync:status", ADMIN),
    NavItem("Profile", "accounts:profile", EVERYONE),
)


def nav_for(user, current_path: str) -> list[dict]:
    """The navigation entries ``user`` may use, marking the one ``current_path`` is under."""
    items = []
    for item in NAV_ITEMS:
        if not user_has_role(user, item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # the area is not installed in this build
            continue
        items.append({"label": item.label, "url": url, "active": current_path.startswith(url)})
    return items
