"""The history dashboard's numbers, checked against the hand-counted data of conftest.py."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

from meetings import selectors
from meetings.selectors import DateWindow, HistoryFilter
from meetings.tables import DashboardMeetingsTable
from tests.meetings.conftest import at, held

UTC = zoneinfo.ZoneInfo("UTC")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def week_of_march_2(tz=UTC, **kwargs) -> HistoryFilter:
    return HistoryFilter(window=DateWindow(date(2026, 3, 2), date(2026, 3, 8), tz), **kwargs)


def board(user, filters):
    return selectors.history_dashboard(
        user=user, filters=filters, cursor=None, table_fields=DashboardMeetingsTable.reads
    )


def test_kpis_of_a_week_match_the_hand_count(history, admin_user):
    kpis = board(admin_user, week_of_march_2()).kpis
    assert kpis["meetings"] == 4
    assert kpis["attendee_minutes"] == 150 + 30 + 900 + 0
    # x, y and z: X@EX.com is x again, the caller without email is not counted.
    assert kpis["unique_attendees"] == 3
    assert kpis["avg_attendees"] == 4.0  # (3 + 1 + 12 + 0) / 4
    assert kpis["avg_duration"] == 56.5  # (60 + 30 + 90 + 46) / 4


def test_empty_range_gives_zeros_not_errors(history, admin_user):
    filters = HistoryFilter(window=DateWindow(date(2025, 1, 1), date(2025, 1, 31), UTC))
    result = board(admin_user, filters)
    assert result.kpis["meetings"] == 0
    assert result.kpis["attendee_minutes"] == 0
    assert result.kpis["unique_attendees"] == 0
    assert result.kpis["avg_attendees"] == 0
    assert result.page.rows == []
    assert sum(n for _d, n in result.per_period) == 0


def test_meetings_per_day_fills_empty_days(history, admin_user):
    per_day = board(admin_user, week_of_march_2()).per_period
    assert per_day == [
        (date(2026, 3, 2), 2),
        (date(2026, 3, 3), 0),
        (date(2026, 3, 4), 1),
        (date(2026, 3, 5), 1),
        (date(2026, 3, 6), 0),
        (date(2026, 3, 7), 0),
        (date(2026, 3, 8), 0),
    ]


def test_days_follow_the_users_time_zone(history, admin_user):
    # 23:30 UTC on Wednesday is already Thursday in Paris.
    from tests.meetings.conftest import held

    held(history.bob, "2026-03-04T23:30", 10, 1, 10)
    utc = dict(board(admin_user, week_of_march_2(UTC)).per_period)
    paris = dict(board(admin_user, week_of_march_2(PARIS)).per_period)
    assert (utc[date(2026, 3, 4)], utc[date(2026, 3, 5)]) == (2, 1)
    assert (paris[date(2026, 3, 4)], paris[date(2026, 3, 5)]) == (1, 2)


def test_ranges_over_62_days_are_counted_per_week(history, admin_user):
    filters = HistoryFilter(window=DateWindow(date(2026, 1, 1), date(2026, 3, 31), UTC))
    result = board(admin_user, filters)
    assert result.period == "week"
    per_week = dict(result.per_period)
    assert next(iter(per_week)) == date(2025, 12, 29)  # the Monday of 2026-01-01's week
    assert per_week[date(2026, 2, 16)] == 1  # Fri 02-20
    assert per_week[date(2026, 3, 2)] == 4
    assert sum(per_week.values()) == 5
    assert result.chart_data["period"]["labels"][0] == "Week of 2025-12-29"


def test_62_days_are_still_counted_per_day(history, admin_user):
    filters = HistoryFilter(window=DateWindow(date(2026, 1, 1), date(2026, 3, 3), UTC))
    assert filters.days == 62
    assert board(admin_user, filters).period == "day"


def test_attendees_per_meeting_distribution(history, admin_user):
    distribution = dict(board(admin_user, week_of_march_2()).distribution)
    assert distribution == {
        "0": 1,
        "1": 1,
        "2–5": 1,
        "6–10": 0,
        "11–25": 1,
        "26–50": 0,
        "51–100": 0,
        "over 100": 0,
    }


def test_top_organizers_by_meetings_and_by_attendee_minutes(history, admin_user):
    result = board(admin_user, week_of_march_2())
    assert [(r["name"], r["meetings"]) for r in result.top_by_meetings] == [
        ("Alice Archer", 2),
        ("Bob Baker", 1),  # ties in organizer order
        ("Olga Ortiz", 1),
    ]
    assert [(r["name"], r["minutes"]) for r in result.top_by_minutes] == [
        ("Bob Baker", 900),
        ("Alice Archer", 180),
        ("Olga Ortiz", 0),
    ]


def _cells(grid):
    return {
        (row["day"], cell["hour"]): (cell["count"], cell["level"])
        for row in grid
        for cell in row["cells"]
        if cell["count"]
    }


def test_busiest_hours_heat_map(history, admin_user):
    grid = board(admin_user, week_of_march_2()).heatmap
    assert [row["day"] for row in grid] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert all(len(row["cells"]) == 24 for row in grid)
    assert _cells(grid) == {("Mon", 9): (2, 4), ("Wed", 14): (1, 2), ("Thu", 10): (1, 2)}


def test_busiest_hours_in_paris_are_an_hour_later(history, admin_user):
    grid = board(admin_user, week_of_march_2(PARIS)).heatmap
    assert _cells(grid) == {("Mon", 10): (2, 4), ("Wed", 15): (1, 2), ("Thu", 11): (1, 2)}


def test_group_filter_includes_sub_groups(history, admin_user):
    result = board(admin_user, week_of_march_2(group=history.sales))
    assert result.kpis["meetings"] == 3  # Alice's two in Sales, Bob's in Sales EMEA
    assert result.kpis["attendee_minutes"] == 1080
    assert result.kpis["unique_attendees"] == 3


def test_organizer_filter(history, admin_user):
    result = board(admin_user, week_of_march_2(organizer=history.alice))
    assert result.kpis["meetings"] == 2
    assert result.kpis["attendee_minutes"] == 180
    assert result.kpis["unique_attendees"] == 2  # x and y


def test_group_scoped_manager_sees_only_their_groups(history, scoped_manager):
    result = board(scoped_manager, week_of_march_2())
    assert result.kpis["meetings"] == 1
    assert result.kpis["attendee_minutes"] == 900
    assert [i.subject for i in result.page.rows] == ["EMEA all hands"]
    assert [r["name"] for r in result.top_by_meetings] == ["Bob Baker"]


def test_far_past_range_reads_the_cache(history, admin_user):
    from tests.meetings.conftest import held

    held(history.olga, "2023-06-01T12:00", 30, 2, 50)
    filters = HistoryFilter(window=DateWindow(date(2023, 1, 1), date(2026, 12, 31), UTC))
    result = board(admin_user, filters)
    assert result.kpis["meetings"] == 6
    assert result.period == "week"


def test_meetings_table_is_newest_first(history, admin_user):
    rows = board(admin_user, week_of_march_2()).page.rows
    assert [i.subject for i in rows] == [
        "Support triage",
        "EMEA all hands",
        "Quick sync",
        "Pipeline review",
    ]


def test_end_date_is_inclusive_and_the_next_midnight_is_not(history, admin_user):
    from tests.meetings.conftest import held

    held(history.olga, "2026-03-08T23:59", 10, 0, 0)  # Sunday, last minute: in
    held(history.olga, "2026-03-09T00:00", 10, 0, 0)  # Monday after: out
    held(history.olga, "2026-03-01T23:59", 10, 0, 0)  # Sunday before: out
    assert board(admin_user, week_of_march_2()).kpis["meetings"] == 5


def test_meetings_table_rows_show_organizer_group_and_figures(history, client_for, admin_user):
    from django.urls import reverse

    from tests.factories import MeetingInstanceFactory, OrganizerFactory

    nameless = OrganizerFactory(first_name="", last_name="", email="noname@ex.com", group=None)
    held(nameless, "2026-03-06T11:00", 15, 2, 25, subject="By email only")
    MeetingInstanceFactory(
        organizer=None, group=None, subject="Orphan", start_time=at("2026-03-07T08:30")
    )
    response = client_for(admin_user).get(
        reverse("meetings:dashboard"), {"start": "2026-03-02", "end": "2026-03-08"}
    )
    table = response.content.decode().split('data-testid="meetings-table"', 1)[1]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("</table>", 1)[0], flags=re.S)
    ]
    rows = [row for row in rows if row]
    assert [row[0] for row in rows] == [
        "Orphan",
        "By email only",
        "Support triage",
        "EMEA all hands",
        "Quick sync",
        "Pipeline review",
    ]
    by_subject = {row[0]: row[1:] for row in rows}
    assert by_subject["Orphan"][-2:] == ["—", "—"]
    assert by_subject["By email only"][-2:] == ["noname@ex.com", "—"]
    assert by_subject["EMEA all hands"][1:] == [
        "1 h 30 min",
        "12",
        "900",
        "Bob Baker",
        "Sales EMEA",
    ]
    assert by_subject["Pipeline review"][0] == "2026-03-02 09:15"
