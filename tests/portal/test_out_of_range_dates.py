"""Dates at the edges of the calendar (year 1, year 9999) are a form error on every page that
filters by date, in every time zone, and never a 500; the first and last accepted days work in
every time zone.

(``end=9999-12-31`` made the day after the last one overflow; a year-1 date west of UTC or a
list cursor at the calendar's edge overflowed on the way to UTC.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.dates import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "Pacific/Pago_Pago", "Pacific/Kiritimati"]  # UTC, 11 h west, 14 h east
FILTER_PAGES = [
    ("accounts:audit_log", "date_from", "date_to"),
    ("meetings:dashboard", "start", "end"),
    ("meetings:attendees_report", "start", "end"),
    ("meetings:my_meetings", "start", "end"),
]
RANGES = [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("2026-03-02", "9999-12-31")]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("first", "last"), RANGES)
@pytest.mark.parametrize(("url_name", "from_name", "to_name"), FILTER_PAGES)
def test_out_of_range_dates_are_a_form_error(
    client_for, admin_user, url_name, from_name, to_name, first, last, tz
):
    client = client_for(admin_user)
    client.cookies["tz"] = tz
    response = client.get(reverse(url_name), {from_name: first, to_name: last})
    assert response.status_code in (200, 400)  # the audit log answers invalid filters with 400
    assert OUT_OF_RANGE in response.content.decode()


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(("url_name", "from_name", "to_name"), FILTER_PAGES)
def test_first_and_last_accepted_days_work_in_every_zone(
    client_for, admin_user, url_name, from_name, to_name, tz
):
    client = client_for(admin_user)
    client.cookies["tz"] = tz
    for first, last in [(EARLIEST_DATE, EARLIEST_DATE), (LATEST_DATE, LATEST_DATE)]:
        response = client.get(
            reverse(url_name), {from_name: first.isoformat(), to_name: last.isoformat()}
        )
        assert response.status_code == 200
        assert OUT_OF_RANGE not in response.content.decode()


def test_date_inputs_offer_only_accepted_days(client_for, admin_user):
    html = client_for(admin_user).get(reverse("meetings:dashboard")).content.decode()
    assert 'type="date"' in html
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html
    assert f'max="{LATEST_DATE.isoformat()}"' in html


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    ("url_name", "param"),
    [
        ("meetings:dashboard", "before"),
        ("meetings:my_meetings", "before"),
        ("meetings:my_meetings", "after"),
    ],
)
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-11:00", "1969-12-31T00:00:00"]
)
def test_page_link_at_the_calendars_edge_is_damaged(
    client_for, admin_user, url_name, param, moment, tz
):
    client = client_for(admin_user)
    client.cookies["tz"] = tz
    response = client.get(reverse(url_name), {param: f"{moment},1"})
    assert response.status_code == 200
    assert "This page link is damaged" in response.content.decode()


def test_held_meeting_page_link_at_the_calendars_edge_is_damaged(client_for, admin_user):
    from tests.factories import MeetingInstanceFactory

    instance = MeetingInstanceFactory()
    response = client_for(admin_user).get(
        reverse("meetings:instance_detail", args=[instance.pk]),
        {"after": "0001-01-01T00:00:00+14:00,1"},
    )
    assert response.status_code == 200
    assert "This page link is damaged" in response.content.decode()
