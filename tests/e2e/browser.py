"""What every browser test shares: Chromium's flags, a session cookie for a user, the sandbox
allowed as a form target, and a collector of console errors (a CSP violation shows there)."""

from __future__ import annotations

from django.test import Client

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in_with_session(context, base_url: str, user) -> None:
    """Sign ``user`` in on the browser: a session made by ``force_login``, set as a cookie."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])


def allow_sandbox_form_target(settings, sandbox) -> None:
    """The test sandbox runs on a random port: let forms and their redirects go there."""
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "form-action": [*directives["form-action"], sandbox.base_url]}
    }


def collect_console_errors(page) -> list[str]:
    """The list the page's console errors are appended to (the favicon's 404 aside)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
            else None
        ),
    )
    return problems
