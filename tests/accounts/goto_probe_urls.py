"""The portal's URLs plus one test-only page that calls GoTo as the signed-in user, standing in
for any view that does (tests point ROOT_URLCONF here)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from accounts.connections import client_for_user
from portal.permissions import EVERYONE, role_required
from portal.urls import urlpatterns as portal_urlpatterns


@role_required(*EVERYONE)
def goto_group_count(request: HttpRequest) -> HttpResponse:
    with client_for_user(request.user, sleep=lambda seconds: None) as client:
        return HttpResponse(f"{len(client.get_groups())} groups")


urlpatterns = [
    *portal_urlpatterns,
    path("test-only/goto-groups/", goto_group_count, name="test_goto_groups"),
]
