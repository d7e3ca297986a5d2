"""Values every template needs: navigation and which API the portal talks to."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import nav_for


def portal(request: HttpRequest) -> dict:
    return {
        "nav_items": nav_for(request.user, request.path) if hasattr(request, "user") else [],
        "api_label": "GoTo sandbox" if settings.GOTO_USES_SANDBOX else "GoTo",
        "api_base_url": settings.GOTO_API_BASE_URL,
    }
