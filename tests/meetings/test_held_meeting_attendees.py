"""A held meeting's page: its attendees (keyset-paged), CSV export, and who may see it."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.urls import reverse

from tests.factories import AttendeeFactory, MeetingInstanceFactory, OrganizerFactory
from tests.meetings.test_history_dashboard_page import csv_rows


def url(instance, **params):
    return reverse("meetings:instance_detail", args=[instance.pk])


def test_lists_attendees_with_join_leave_and_duration(client_for, account_manager, history):
    html = client_for(account_manager).get(url(history.m1)).content.decode()
    assert "x@ex.com" in html and "y@ex.com" in html and "X@EX.com" in html
    assert "2026-03-02 09:15" in html  # x joined at the start
    assert "10:15" in html  # and left an hour later
    assert "1 h" in html and "50 min" in html


def test_rows_are_escaped_in_the_users_time_zone_with_dashes_for_unknowns(
    client_for, account_manager, history
):
    AttendeeFactory(
        instance=history.m4,
        name='<b onclick="x()">Eve</b>',
        email="",
        join_time=history.m4.start_time,
        leave_time=None,
        duration_minutes=95,
    )
    client = client_for(account_manager)
    client.cookies["tz"] = "Pacific/Auckland"  # Thu 10:00 UTC is Thu 23:00 there
    html = client.get(url(history.m4)).content.decode()
    row = html[html.index("&lt;b onclick") - 8 :].split("</tr>")[0]
    assert "<b onclick" not in html
    assert "<td>—</td><td>2026-03-05 23:00</td><td>—</td><td>1 h 35 min</td>" in row


def test_csv_export_of_the_attendees(client_for, account_manager, history):
    response = client_for(account_manager).get(url(history.m1), {"export": "csv"})
    rows = csv_rows(response)
    assert rows[0] == ["name", "email", "join time", "leave time", "duration (min)"]
    assert [r[1] for r in rows[1:]] == ["x@ex.com", "y@ex.com", "X@EX.com"]
    assert rows[1][2] == "2026-03-02T09:15:00+00:00"
    assert rows[1][4] == "60"


def test_long_attendee_lists_are_keyset_paged(client_for, account_manager, history):
    instance = MeetingInstanceFactory(organizer=history.olga)
    for i in range(120):
        AttendeeFactory(
            instance=instance,
            email=f"p{i:03}@ex.com",
            # Groups of three join in the same second: ties are broken by id.
            join_time=instance.start_time + timedelta(seconds=i // 3),
        )
    client = client_for(account_manager)
    seen, params, pages = [], {}, 0
    while True:
        response = client.get(url(instance), params)
        page = response.context["page"]
        seen += [a.email for a in page.rows]
        pages += 1
        if not page.next_cursor:
            break
        assert "Later →" in response.content.decode()
        params = {"after": page.next_cursor}
    assert pages == 3
    assert seen == [f"p{i:03}@ex.com" for i in range(120)]


def test_damaged_page_link_shows_a_message(client_for, account_manager, history):
    response = client_for(account_manager).get(url(history.m1), {"after": "yesterday,abc"})
    assert "page link is damaged" in response.content.decode()


def test_organizer_sees_own_held_meeting_but_not_others(client_for, organizer_user):
    own = MeetingInstanceFactory(
        organizer=OrganizerFactory(organizer_key=organizer_user.organizer_key)
    )
    other = MeetingInstanceFactory()
    client = client_for(organizer_user)
    assert client.get(url(own)).status_code == 200
    assert client.get(url(other)).status_code == 404
    assert client.get(url(other), {"export": "csv"}).status_code == 404


def test_scoped_manager_cannot_drill_into_another_groups_meeting(
    client_for, scoped_manager, history
):
    client = client_for(scoped_manager)
    assert client.get(url(history.m3)).status_code == 200  # Sales EMEA: theirs
    assert client.get(url(history.m1)).status_code == 404  # Sales: the parent, not theirs
    assert client.get(url(history.m4), {"export": "csv"}).status_code == 404


def test_scoped_manager_sees_sub_groups(client_for, db, history):
    from tests.factories import UserFactory

    sales_manager = UserFactory(email="sam@acme.example", role="manager")
    sales_manager.managed_groups.add(history.sales)
    client = client_for(sales_manager)
    assert client.get(url(history.m3)).status_code == 200  # Sales EMEA is under Sales
    assert client.get(url(history.m4)).status_code == 404  # Support


def test_the_meeting_is_shown_held_in_the_users_time_zone(client_for, account_manager, history):
    client = client_for(account_manager)
    client.cookies["tz"] = "Pacific/Auckland"  # Thu 10:00 UTC is Thu 23:00 there
    html = client.get(url(history.m4)).content.decode()
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    start, end = history.m4.start_time.astimezone(zone), history.m4.end_time.astimezone(zone)
    assert f"<dt>Held</dt><dd>{start:%Y-%m-%d %H:%M} – {end:%H:%M} " in html
    assert f"<title>{history.m4.subject} on {start:%Y-%m-%d}" in html
