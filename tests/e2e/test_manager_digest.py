"""Issue 17's digest, end to end in Chromium: a Manager subscribes on their profile page and
previews the digest; the hourly task runs; the message is read from the loopback SMTP server
(their scope only, the figures the dashboard shows for the same week, the chart image); its
unsubscribe link, opened in a browser without a session, asks to confirm and unsubscribes.

Signing in: as in the other browser tests, a ``force_login`` session cookie.
"""

from __future__ import annotations

import re

import pytest

from digests.models import DigestSubscription
from digests.tasks import send_due_digests_task
from tests.digests.conftest import DUE_AT, html_part, make_account
from tests.e2e.browser import collect_console_errors, sign_in_with_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(timezone_id="UTC")
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_manager_subscribes_receives_the_digest_and_unsubscribes_from_the_link(
    chromium, browser_context, live_server, smtp_server, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    account = make_account()
    manager = account.manager
    sign_in_with_session(browser_context, live_server.url, manager)
    page = browser_context.new_page()
    problems = collect_console_errors(page)

    # Subscribe on the profile page, reached from the navigation.
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    page.get_by_label("Weekly (Monday morning)").check()
    page.get_by_label("Time zone").select_option("UTC")
    page.get_by_role("button", name="Subscribe").click()
    assert "Subscribed to the weekly digest." in page.get_by_role("status").first.inner_text()
    assert "You receive the weekly digest" in page.get_by_test_id("digest-status").inner_text()

    # The preview shows the digest with its chart drawn.
    page.get_by_test_id("digest-preview").click()
    page.get_by_role("heading", name="Key figures").wait_for()
    chart = page.get_by_role("img", name=re.compile("Bar chart"))
    assert chart.evaluate("img => img.complete && img.naturalWidth") > 0

    # The hourly task, at Monday 07:30 UTC.
    assert send_due_digests_task.apply(kwargs={"now": DUE_AT.isoformat()}).get() == {
        "sent": 1,
        "failed": 0,
        "skipped": 0,
    }
    [message] = smtp_server.to(manager.email)
    html = html_part(message)
    assert "Alice Archer" in html and "Bob Baker" in html
    assert "Olga" not in html and "Xavier" not in html  # Support is not the Manager's
    [chart_part] = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert chart_part["Content-ID"] == "<digest-chart>" and 'src="cid:digest-chart"' in html

    # The figures are the dashboard's for the same week.
    page.goto(f"{live_server.url}/meetings/dashboard/?start=2026-02-02&end=2026-02-08")
    for key in ("meetings", "attendee_minutes", "unique_attendees", "avg_attendees"):
        shown = page.locator(f'[data-kpi="{key}"]').inner_text().strip()
        row = re.search(rf'data-kpi="{key}".*?</tr>', html, re.S).group(0)
        sent = re.search(r'data-value="current"[^>]*>([^<]+)<', row).group(1).strip()
        assert sent == shown, key
    assert page.locator('[data-kpi="meetings"]').inner_text().strip() == "5"

    # The unsubscribe link works in a browser that never signed in.
    link = re.search(r'href="([^"]+/digests/unsubscribe/[^"]+)"', html).group(1)
    stranger = chromium.new_context()
    try:
        other = stranger.new_page()
        other.goto(link)
        assert manager.email in other.get_by_role("main").inner_text()
        assert DigestSubscription.objects.get(user=manager).active  # GET changes nothing
        other.get_by_role("button", name="Unsubscribe").click()
        assert "is unsubscribed" in other.get_by_test_id("unsubscribe-done").inner_text()
    finally:
        stranger.close()
    assert not DigestSubscription.objects.get(user=manager).active
    assert problems == []
