"""A Manager, in Chromium, creates a personal access token on the tokens page, copies it, a BI
tool (``requests``, over real HTTP) reads the API with it and gets the Manager's group only,
then the Manager revokes it (with a confirmation) and the tool gets 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from tests.e2e.browser import collect_console_errors, sign_in_with_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(timezone_id="UTC")
    context.set_default_timeout(20_000)
    yield context
    context.close()


def test_manager_creates_uses_and_revokes_a_token(browser_context, live_server, db):
    from tests.factories import GroupFactory, MeetingInstanceFactory, OrganizerFactory, UserFactory

    sales, support = GroupFactory(name="Sales"), GroupFactory(name="Support")
    start = timezone.now() - timedelta(days=2)
    mine = MeetingInstanceFactory(organizer=OrganizerFactory(group=sales), start_time=start)
    MeetingInstanceFactory(organizer=OrganizerFactory(group=support), start_time=start)
    manager = UserFactory(email="mona.manager@acme.example", role="manager")
    manager.managed_groups.set([sales])

    sign_in_with_session(browser_context, live_server.url, manager)
    page = browser_context.new_page()
    problems = collect_console_errors(page)
    page.goto(f"{live_server.url}/portal/profile/tokens/")
    page.fill("#id_name", "Power BI")
    page.select_option("#id_expires_in_days", "30")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("gtp_")

    api = f"{live_server.url}/api/v1/meeting-instances/"
    headers = {"Authorization": f"Bearer {secret}"}
    answer = requests.get(api, headers=headers, timeout=30)
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [mine.pk]

    # A reload re-sends the form: no second token, and the secret is not shown again.
    page.reload()
    assert "already sent" in page.locator("body").inner_text()
    assert secret not in page.content()
    assert page.get_by_role("link", name="Revoke…").count() == 1
    page.get_by_role("link", name="Revoke…").click()
    assert "Power BI" in page.get_by_test_id("confirm-question").inner_text()
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_url("**/portal/profile/tokens/")
    assert "revoked" in page.locator("body").inner_text()

    refused = requests.get(api, headers=headers, timeout=30)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "This token was revoked."}
    assert problems == [], problems
