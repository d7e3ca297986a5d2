"""The portal has a favicon: every page links it (static files: SVG, and ICO for the others),
and ``/favicon.ico`` (asked for by browsers that read no link, and by other tools) answers it
to anybody, so no browser console logs a 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

ICO_MAGIC = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon)


def _icon_links(html: str) -> list[str]:
    return re.findall(r'<link rel="icon" href="([^"]+)"', html)


@pytest.mark.django_db
def test_favicon_ico_answers_an_icon_without_sign_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response).startswith(ICO_MAGIC)
    assert "max-age=" in response["Cache-Control"]
    assert reverse("favicon") == "/favicon.ico"


@pytest.mark.django_db
def test_only_safe_methods_are_answered(client):
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "admin_user", "organizer_user"])
def test_every_page_links_icons_that_exist(client, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("account_login") if who == "anonymous" else "/", follow=True)
    links = _icon_links(page.content.decode())
    assert any(link.endswith(".svg") for link in links), links
    assert any(link.endswith(".ico") for link in links), links
    for link in links:
        icon = client.get(link)
        assert icon.status_code == 200, link
        assert icon["Content-Type"].startswith("image/"), link
