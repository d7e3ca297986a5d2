"""Values every template needs: navigation and which API the portal talks to; and, on a page
rendered for :mod:`portal.page_cache`, a placeholder for the CSRF token (each response gets its
own token when it is sent).

The API's base URL is for signed-in Admins alone: anybody else (the sign-in page, Managers,
Organizers) learns only whether it is GoTo or the sandbox. Pages cached by
:mod:`portal.page_cache` are kept per user and role, so an Admin's footer never reaches others.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .navigation import nav_for
from .page_cache import CSRF_PLACEHOLDER, PLACEHOLDER_FLAG
from .permissions import ADMIN, user_has_role


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    admin = user is not None and user_has_role(user, ADMIN)
    values = {
        "nav_items": nav_for(user, request.path) if user is not None else [],
        "api_label": "GoTo sandbox" if settings.GOTO_USES_SANDBOX else "GoTo",
        "api_base_url": settings.GOTO_API_BASE_URL if admin else "",
    }
    if getattr(request, PLACEHOLDER_FLAG, False):
        values["csrf_token"] = CSRF_PLACEHOLDER  # overrides Django's own csrf processor
    return values
