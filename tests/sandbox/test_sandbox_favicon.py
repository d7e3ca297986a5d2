"""The sandbox has a favicon of its own: ``/favicon.ico`` answers an icon, and its HTML pages
(the index, the sign-in page, the join page) link it, so browsers log no 404."""

from __future__ import annotations

from urllib.parse import urlencode

from sandbox.demo_account import CLIENT_ID

ICON_LINK = '<link rel="icon" href="/favicon.ico"'
ICO_MAGIC = b"\x00\x00\x01\x00"  # reserved 0, type 1 (icon)


def test_favicon_is_an_icon(shared_sandbox):
    result = shared_sandbox.request("GET", "/favicon.ico", headers={"Accept": "image/*"})
    assert result.status == 200
    assert result.headers["Content-Type"] == "image/x-icon"
    assert result.body.startswith(ICO_MAGIC)
    assert "max-age=" in result.headers["Cache-Control"]


def test_html_pages_link_the_favicon(shared_sandbox):
    meeting = shared_sandbox.state()["meetings"][0]
    authorize = urlencode(
        {
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": "http://127.0.0.1:8000/accounts/goto/login/callback/",
        }
    )
    pages = {
        "index": "/",
        "sign-in": f"/oauth/authorize?{authorize}",
        "refused sign-in": "/oauth/authorize?client_id=nobody",
        "join": f"/join/{meeting['meetingId']}",
    }
    for name, path in pages.items():
        page = shared_sandbox.request("GET", path, headers={"Accept": "text/html"})
        assert page.headers["Content-Type"].startswith("text/html"), name
        assert ICON_LINK in page.text, name
