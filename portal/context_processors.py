"""Values every template needs: navigation and which API the portal talks to; and, on a page
rendered for :mod:`portal.page_cache`, a placeholder for the CSRF token (each response gets its
own token when it is sent)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import nav_for
from .page_cache import CSRF_PLACEHOLDER, PLACEHOLDER_FLAG


def portal(request: HttpRequest) -> dict:
    values = {
        "nav_items": nav_for(request.user, request.path) if hasattr(request, "user") else [],
        "api_label": "GoTo sandbox" if settings.GOTO_USES_SANDBOX else "GoTo",
        "api_base_url": settings.GOTO_API_BASE_URL,
    }
    if getattr(request, PLACEHOLDER_FLAG, False):
        values["csrf_token"] = CSRF_PLACEHOLDER  # overrides Django's own csrf processor
    return values
