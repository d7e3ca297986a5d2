"""An Admin, in Chromium, takes one organizer through its whole life: signs in through the
sandbox's real GoTo sign-in page, invites the organizer, the organizer confirms (in the
sandbox), re-checks it, suspends it (in place, with htmx, from the list), reactivates it (plain
form, from its page), deletes it, and finds every step in the audit log."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.browser import allow_sandbox_form_target
from tests.organizers.conftest import mirror_account, sandbox_organizer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "lifecycle.person@acme.example"


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


@pytest.fixture
def portal(live_server, sandbox_settings, sandbox, goto_client, settings):
    """The live portal talking to the test sandbox, its cache filled with the account."""
    # The sign-in form is redirected to the sandbox's authorize page: allow that origin.
    allow_sandbox_form_target(settings, sandbox)
    mirror_account(goto_client("admin@acme.example"))
    return live_server.url


def _status(page) -> str:
    return page.get_by_test_id("organizer-status").inner_text().strip()


def test_admin_takes_an_organizer_through_its_whole_life(portal, sandbox, browser_page):
    # The database is touched only by ``portal`` (set up before the browser starts); from here
    # on, everything is checked through the pages, the sandbox, and the audit log page.
    page = browser_page
    console_errors = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(f"{message.location.get('url')}: {message.text}")
            if message.type == "error"
            else None
        ),
    )

    # Sign in through the sandbox's GoTo sign-in page.
    page.goto(f"{portal}/accounts/login/")
    page.get_by_test_id("goto-sign-in").click()
    page.wait_for_url(re.compile(re.escape(sandbox.base_url) + r"/oauth/authorize"))
    page.fill("#email", "admin@acme.example")
    page.fill("#password", "demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(portal)))
    assert page.locator(".role").inner_text() == "Admin"

    # Invite.
    page.goto(f"{portal}/organizers/invite/")
    page.fill("#id_email", EMAIL)
    page.fill("#id_first_name", "Life")
    page.fill("#id_last_name", "Cycle")
    page.select_option("#id_group", label="Sales")
    page.select_option("#id_product_type", "G2M")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(re.compile(r"/organizers/\d+/$"))
    assert f"Invited {EMAIL} (pending confirmation)." in page.locator(".messages").inner_text()
    assert _status(page) == "Pending confirmation"
    detail_url = page.url
    pk = int(urlsplit(detail_url).path.strip("/").split("/")[-1])
    assert sandbox_organizer(sandbox, EMAIL)["organizerKey"] is None

    # The invited person accepts the e-mail invitation (at GoTo).
    key = sandbox.confirm_organizer(EMAIL)

    # Re-check: confirmation page, then the key is there.
    page.get_by_role("link", name="Re-check with GoTo").click()
    page.get_by_role("button", name="Re-check").click()
    page.wait_for_url(detail_url)
    assert page.get_by_test_id("organizer-key").inner_text().strip() == str(key)
    assert _status(page) == "Active"

    # Suspend in place from the list (htmx swaps the row after the confirm dialog).
    page.goto(f"{portal}/organizers/?q=lifecycle")
    row = page.locator(f"#organizer-{pk}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("link", name="Suspend").click()
    row.locator(".badge-suspended").wait_for()
    assert "Suspended Life Cycle" in row.inner_text()
    assert page.url.endswith("/organizers/?q=lifecycle")  # no page load: the row was swapped
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "suspended"

    # Reactivate from its page, through the confirmation page (no JavaScript needed).
    page.goto(detail_url)
    page.get_by_role("link", name="Reactivate").click()
    page.get_by_role("button", name="Reactivate").click()
    page.wait_for_url(detail_url)
    assert _status(page) == "Active"
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "active"

    # Delete: the confirmation names the organizer and says it cannot be undone.
    page.get_by_role("link", name="Delete").click()
    question = page.get_by_test_id("confirm-question").inner_text()
    assert question == f"Delete Life Cycle ({EMAIL})?"
    assert "This cannot be undone." in page.locator("main").inner_text()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url(detail_url)
    assert _status(page) == "Deleted"
    assert sandbox_organizer(sandbox, EMAIL) is None
    page.goto(f"{portal}/organizers/?q=lifecycle")
    assert page.get_by_test_id("organizers-table").count() == 0  # hidden by default
    page.goto(f"{portal}/organizers/?q=lifecycle&show_deleted=on")
    assert page.locator(f"#organizer-{pk} .badge-deleted").inner_text() == "Deleted"

    # Every step is in the audit log, each a success.
    page.goto(f"{portal}/portal/audit/")
    log = page.locator("main table").inner_text()
    for action in (
        "organizer.invite",
        "organizer.recheck",
        "organizer.suspend",
        "organizer.reactivate",
        "organizer.delete",
    ):
        line = next(
            (row for row in log.splitlines() if action in row and "Life Cycle" in row), None
        )
        assert line is not None, f"{action} missing from the audit log:\n{log}"
        assert "Success" in line, line

    # No page broke the Content-Security-Policy (inline script or style) or threw an error.
    portal_errors = [
        e for e in console_errors if "favicon.ico" not in e and not e.startswith(sandbox.base_url)
    ]
    assert portal_errors == []
