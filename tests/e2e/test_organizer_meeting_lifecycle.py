"""An Organizer, in Chromium, creates a meeting (times in Europe/Paris), edits it, starts it
(the browser lands on the host URL GoTo gives) and deletes it, against the sandbox.

Signing in: the Organizer's GoTo token is stored for them (``accounts.tokens.store_token``,
as the sign-in does) and the browser gets a session cookie made by the test client's
``force_login``; the GoTo sign-in page itself is tested elsewhere.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.e2e.browser import (
    allow_sandbox_form_target,
    collect_console_errors,
    sign_in_with_session,
)
from tests.meetings.conftest import sandbox_meeting, sandbox_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

YEAR = timezone.now().year + 1


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(timezone_id="Europe/Paris")
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def portal(live_server, sandbox_settings, sandbox, settings):
    """The live portal talking to the test sandbox."""
    # "Start" sends the browser on to the host URL: allow the sandbox's origin as GoTo's is.
    allow_sandbox_form_target(settings, sandbox)
    return live_server.url


def test_organizer_creates_edits_starts_and_deletes_a_meeting(
    browser_context, portal, sandbox, with_sandbox_token
):
    from accounts.models import AuditEntry
    from meetings.models import Meeting

    user = sandbox_user(sandbox, with_sandbox_token, "organizer@acme.example", "organizer")
    sign_in_with_session(browser_context, portal, user)
    page = browser_context.new_page()
    problems = collect_console_errors(page)

    # My meetings: nothing yet; the page remembers the browser's zone in the tz cookie.
    page.goto(f"{portal}/meetings/mine/")
    assert "No scheduled meetings." in page.content()
    assert any(
        c["name"] == "tz" and c["value"] == "Europe/Paris" for c in browser_context.cookies()
    )

    # Create, in Paris time (the form now defaults to the cookie's zone).
    page.get_by_role("link", name="New meeting").click()
    assert page.locator("#id_timezone").input_value() == "Europe/Paris"
    page.fill("#id_subject", "Browser planning")
    page.fill("#id_start", f"{YEAR}-06-15T14:00")
    page.fill("#id_end", f"{YEAR}-06-15T15:00")
    page.select_option("#id_meeting_type", "scheduled")
    page.check("#id_password_required")
    page.select_option("#id_call_info", "Hybrid")
    page.get_by_role("button", name="Create meeting").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/$"))
    assert "Meeting “Browser planning” created." in page.locator(".messages").inner_text()
    assert f"{YEAR}-06-15 14:00" in page.get_by_test_id("start").inner_text()
    meeting = Meeting.objects.get()
    stored = sandbox_meeting(sandbox, meeting.meeting_id)
    assert stored["startTime"] == f"{YEAR}-06-15T12:00:00Z"  # Paris is UTC+2 in June
    assert stored["passwordRequired"] is True
    detail_url = page.url

    # Bad input is refused in the page, nothing reaches GoTo.
    calls_before = sandbox.stats()["api_total"]
    page.get_by_role("link", name="Edit").click()
    page.fill("#id_end", f"{YEAR}-06-15T13:00")
    page.get_by_role("button", name="Save changes").click()
    assert "The end must be after the start." in page.content()
    assert sandbox.stats()["api_total"] == calls_before

    # Edit for real.
    page.fill("#id_subject", "Browser planning (moved)")
    page.fill("#id_start", f"{YEAR}-06-16T09:30")
    page.fill("#id_end", f"{YEAR}-06-16T10:30")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(detail_url)
    assert "updated" in page.locator(".messages").inner_text()
    assert sandbox_meeting(sandbox, meeting.meeting_id)["startTime"] == f"{YEAR}-06-16T07:30:00Z"

    # Start: GoTo's host URL opens in the browser.
    page.get_by_test_id("start-button").click()
    page.wait_for_url(re.compile(re.escape(sandbox.base_url) + rf"/join/{meeting.meeting_id}"))
    assert "joining as host" in page.content()

    # Delete, through the confirmation page.
    page.goto(detail_url)
    page.get_by_role("link", name="Delete…").click()
    assert "This cannot be undone." in page.content()
    page.get_by_role("button", name="Delete meeting").click()
    page.wait_for_url(f"{portal}/meetings/mine/")
    assert "Meeting “Browser planning (moved)” deleted." in page.locator(".messages").inner_text()
    assert "No scheduled meetings." in page.content()
    assert sandbox_meeting(sandbox, meeting.meeting_id) is None

    actions = list(
        AuditEntry.objects.filter(actor=user, outcome="success")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["meeting.create", "meeting.update", "meeting.start", "meeting.delete"]
    assert problems == [], problems
