"""Attendee reports: deduplicated by email, meetings attended and minutes, expandable, CSV."""

from __future__ import annotations

from django.urls import reverse

from tests.meetings.test_history_dashboard_page import csv_rows

URL = reverse("meetings:attendees_report")
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


def rows_of(response):
    return {row["key"]: row for row in response.context["page"].rows}


def test_attendees_are_counted_once_per_email(client_for, account_manager, history):
    rows = rows_of(client_for(account_manager).get(URL, WEEK))
    assert set(rows) == {"x@ex.com", "y@ex.com", "z@ex.com"}
    # x joined meeting 1 twice (as x@ex.com and X@EX.com): one meeting, 60 + 40 minutes.
    assert (rows["x@ex.com"]["meetings"], rows["x@ex.com"]["minutes"]) == (1, 100)
    assert (rows["y@ex.com"]["meetings"], rows["y@ex.com"]["minutes"]) == (2, 80)
    assert (rows["z@ex.com"]["meetings"], rows["z@ex.com"]["minutes"]) == (1, 90)


def test_by_organizer(client_for, account_manager, history):
    rows = rows_of(client_for(account_manager).get(URL, {**WEEK, "organizer": history.alice.pk}))
    assert set(rows) == {"x@ex.com", "y@ex.com"}


def test_by_group_with_sub_groups(client_for, account_manager, history):
    rows = rows_of(client_for(account_manager).get(URL, {**WEEK, "group": history.emea.pk}))
    assert set(rows) == {"z@ex.com"}
    rows = rows_of(client_for(account_manager).get(URL, {**WEEK, "group": history.sales.pk}))
    assert set(rows) == {"x@ex.com", "y@ex.com", "z@ex.com"}


def test_wider_range_adds_older_meetings(client_for, account_manager, history):
    rows = rows_of(
        client_for(account_manager).get(URL, {"start": "2026-02-01", "end": "2026-03-08"})
    )
    assert "w@ex.com" in rows


def test_expanding_an_attendee_lists_their_meetings(client_for, account_manager, history):
    client = client_for(account_manager)
    page = client.get(URL, WEEK).content.decode()
    assert 'hx-trigger="toggle once"' in page
    response = client.get(URL, {**WEEK, "attended": "Y@ex.com"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert [s.instance.subject for s in response.context["stays"]] == [
        "Quick sync",
        "Pipeline review",
    ]
    # Without JavaScript the same link opens a full page.
    full = client.get(URL, {**WEEK, "attended": "y@ex.com"}).content.decode()
    assert "<html" in full and "Meetings attended by y@ex.com" in full


def test_csv_export(client_for, account_manager, history):
    rows = csv_rows(client_for(account_manager).get(URL, {**WEEK, "export": "csv"}))
    assert rows[0] == [
        "email",
        "name",
        "meetings attended",
        "minutes",
        "first joined",
        "last joined",
    ]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("x@ex.com", "1", "100"),
        ("y@ex.com", "2", "80"),
        ("z@ex.com", "1", "90"),
    ]


def test_report_is_paged_by_email(client_for, account_manager, history):
    from tests.factories import AttendeeFactory

    for i in range(60):
        AttendeeFactory(instance=history.m4, email=f"guest{i:02}@ex.com")
    client = client_for(account_manager)
    first = client.get(URL, WEEK)
    page = first.context["page"]
    assert len(page.rows) == 50 and page.next_after
    second = client.get(URL, {**WEEK, "after": page.next_after}).context["page"]
    keys = [r["key"] for r in page.rows] + [r["key"] for r in second.rows]
    assert len(keys) == len(set(keys)) == 63
    assert second.next_after is None


def test_scoped_manager_sees_only_their_groups_attendees(client_for, scoped_manager, history):
    client = client_for(scoped_manager)
    assert set(rows_of(client.get(URL, WEEK))) == {"z@ex.com"}
    rows = csv_rows(client.get(URL, {**WEEK, "export": "csv"}))
    assert [r[0] for r in rows[1:]] == ["z@ex.com"]
    stays = client.get(URL, {**WEEK, "attended": "x@ex.com"}).context["stays"]
    assert stays == []


def test_bad_range_shows_a_message(client_for, account_manager, history):
    response = client_for(account_manager).get(URL, {"start": "2026-03-08", "end": "2026-03-01"})
    assert "The end date must not be before the start date." in response.content.decode()


def test_the_report_says_how_many_people_it_lists_as_the_dashboard_counts_them(
    client_for, account_manager, history
):
    client = client_for(account_manager)
    week = client.get(URL, WEEK)
    assert 'data-testid="report-people">3<' in week.content.decode()
    dashboard = client.get(reverse("meetings:dashboard"), WEEK)
    assert 'data-kpi="unique_attendees">3<' in dashboard.content.decode()
    wider = client.get(URL, {"start": "2026-02-01", "end": "2026-03-08"})
    assert wider.context["people"] == len(rows_of(wider)) == 4  # w@ex.com of #5 too
