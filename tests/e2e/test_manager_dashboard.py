"""A Manager, in Chromium, opens the history dashboard, changes the filters and sees the
charts redraw (htmx swaps the body, the static JS redraws Chart.js), drills into a meeting's
attendees and downloads them as CSV.

Signing in: the test signs the Manager in with Django's test client (``force_login``) and puts
that session cookie on the browser context; the GoTo sign-in itself is tested elsewhere.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.browser import sign_in_with_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(accept_downloads=True, timezone_id="UTC")
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def account(db):
    """Two groups' history over the last 30 days, with attendees."""
    from tests.factories import (
        AttendeeFactory,
        GroupFactory,
        MeetingInstanceFactory,
        OrganizerFactory,
        UserFactory,
    )

    sales = GroupFactory(name="Sales")
    support = GroupFactory(name="Support")
    alice = OrganizerFactory(first_name="Alice", last_name="Archer", group=sales)
    olga = OrganizerFactory(first_name="Olga", last_name="Ortiz", group=support)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for day in range(1, 11):
        for organizer, count in ((alice, 2), (olga, 1)):
            for n in range(count):
                start = now - timedelta(days=day, hours=3 + n)
                instance = MeetingInstanceFactory(
                    organizer=organizer,
                    subject=f"{organizer.first_name} meeting d{day} n{n}",
                    start_time=start,
                    end_time=start + timedelta(minutes=45),
                    duration_minutes=45,
                    num_attendees=2,
                    attendee_minutes=60,
                )
                AttendeeFactory(
                    instance=instance, email=f"a{day}{n}@example.com", duration_minutes=30
                )
                AttendeeFactory(instance=instance, email="=cmd|'/c calc'!A1", duration_minutes=30)
    manager = UserFactory(email="mona.manager@acme.example", role="manager")
    manager.managed_groups.set([sales, support])  # the whole account
    return {"manager": manager, "sales": sales, "support": support}


def test_manager_filters_the_dashboard_and_downloads_a_meetings_attendees(
    browser_context, live_server, account
):
    sign_in_with_session(browser_context, live_server.url, account["manager"])
    page = browser_context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/meetings/dashboard/")
    body = page.locator("#dashboard-body")
    page.wait_for_selector('#dashboard-body[data-chart-draws="1"]')
    assert body.get_attribute("data-charts-drawn") == "4"
    assert body.get_attribute("data-charted-meetings") == "30"
    assert page.locator('[data-kpi="meetings"]').inner_text() == "30"
    # Chart.js really drew on the canvases.
    assert page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-chart=period]')) !== undefined"
    )

    # The organizer list arrives after the page (its own request): choose one of them, then
    # all of them again.
    page.select_option("#id_organizer", label="Alice Archer")
    page.wait_for_selector('#dashboard-body[data-charted-meetings="20"]')
    assert "organizer=" in page.url
    assert page.locator("#id_organizer option").count() == 3  # all, Alice, Olga
    page.select_option("#id_organizer", value="")
    page.wait_for_selector('#dashboard-body[data-charted-meetings="30"]')

    # Choose the Support group: htmx swaps the body, the charts redraw with its numbers.
    page.select_option("#id_group", label="Support")
    page.wait_for_selector('#dashboard-body[data-charted-meetings="10"]')
    assert page.locator('[data-kpi="meetings"]').inner_text() == "10"
    assert "group=" in page.url  # the filtered view has its own address
    assert page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-chart=top-meetings]')).data.labels"
    ) == ["Olga Ortiz"]

    # A narrower date range redraws again.
    first_day = (timezone.localdate() - timedelta(days=3)).isoformat()
    page.fill("#id_start", first_day)
    page.locator("#history-filters button[type=submit]").click()
    page.wait_for_selector('#dashboard-body[data-charted-meetings="3"]')

    # Drill down into a meeting's attendees …
    page.locator('[data-testid="meetings-table"] a').first.click()
    page.wait_for_url("**/meetings/held/*/")
    rows = page.locator('[data-testid="attendees-table"] tbody tr')
    assert rows.count() == 2
    assert "Olga meeting" in page.locator("h1").inner_text()

    # … and download them as CSV.
    with page.expect_download() as download_info:
        page.get_by_test_id("export-instance-attendees").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["name", "email", "join time", "leave time", "duration (min)"]
    emails = sorted(line[1] for line in lines[1:])
    assert emails[0] == "'=cmd|'/c calc'!A1"  # a formula cell, neutralised
    assert emails[1].endswith("@example.com")

    assert problems == [], problems


def test_a_choice_made_before_the_organizer_list_arrives_is_kept(
    browser_context, live_server, account
):
    """The organizer list is asked for right after the page, with the value the select had
    then; the Manager changes it before the answer comes: the list that arrives keeps the
    Manager's choice (and the dashboard the filters it was redrawn for)."""
    from organizers.models import Organizer

    alice = Organizer.objects.get(first_name="Alice")
    sign_in_with_session(browser_context, live_server.url, account["manager"])
    page = browser_context.new_page()
    held = []  # the list's request, answered only when the test says so
    page.route("**/meetings/filters/organizers/**", lambda route: held.append(route))

    page.goto(f"{live_server.url}/meetings/dashboard/?organizer={alice.pk}")
    page.wait_for_selector('#dashboard-body[data-charted-meetings="20"]')
    for _ in range(200):  # the page asks for the list as it loads
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never asked for the organizer list"
    assert page.locator("#id_organizer option").count() == 2  # all, and Alice (the chosen)
    page.select_option("#id_organizer", value="")  # all organizers, before the list arrives
    page.wait_for_selector('#dashboard-body[data-charted-meetings="30"]')

    held[0].continue_()
    page.wait_for_selector("#id_organizer option:nth-child(3)", state="attached")
    assert page.input_value("#id_organizer") == ""
    assert page.locator('[data-kpi="meetings"]').inner_text() == "30"
