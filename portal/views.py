"""The home page, which sends each role to the page it uses most, and ``/favicon.ico``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .navigation import nav_for
from .permissions import EVERYONE, role_required


@role_required(*EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    """Redirect to the first page the user's role may use, or show a welcome page."""
    for item in nav_for(request.user, request.path):
        try:
            return redirect(item["url"])
        except NoReverseMatch:  # pragma: no cover - nav_for already resolved it
            continue
    return render(request, "portal/home.html", {"login_url": reverse("account_login")})


FAVICON = "portal/favicon.ico"  # drawn by scripts/make_favicons.py


@cache
def _favicon() -> bytes:
    return Path(finders.find(FAVICON)).read_bytes()


@login_not_required
@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """The icon browsers ask for at the root when a page links none (pages link the static
    files, see ``base.html``). Served here, not redirected: a redirect to the static file's
    hashed name would outlive the next deploy in browsers' caches."""
    return HttpResponse(_favicon(), content_type="image/x-icon")
