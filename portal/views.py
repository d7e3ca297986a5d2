"""The home page: sends each role to the page it uses most."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

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
