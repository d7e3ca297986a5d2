"""The navigation every page shares; items a role may not use are left out."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

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
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    allowed: dict[tuple[str, ...], bool] = {}  # three sets of roles: asked of the user once each
    items = []
    for item in NAV_ITEMS:
        may = allowed.get(item.roles)
        if may is None:
            may = allowed[item.roles] = user_has_role(user, item.roles)
        if not may:
            continue
        url = _url(item.url_name, prefix, urlconf)
        if url is None:  # the area is not installed in this build
            continue
        items.append({"label": item.label, "url": url, "active": current_path.startswith(url)})
    return items


@functools.lru_cache(maxsize=256)
def _url(url_name: str, prefix: str, urlconf: str) -> str | None:
    """``url_name`` reversed once per process, script prefix and URL configuration (None when
    it is not installed): eight ``reverse()`` were 0.11 ms of every page (bench/)."""
    try:
        return reverse(url_name, urlconf=urlconf)
    except NoReverseMatch:
        return None
