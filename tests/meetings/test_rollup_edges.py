"""The dashboard read from roll-ups at the edges: a viewer's day that is not UTC's (DST, a
half-hour zone), a meeting crossing midnight, a re-synced attendee list, a deleted organizer,
a Manager scoped to a group tree. Counted by hand from the shared ``history`` fixture."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from meetings import selectors
from meetings.models import Attendee, OrganizerDay
from meetings.rollups import rollups_kept
from meetings.selectors import DateWindow, HistoryFilter
from meetings.tables import DashboardMeetingsTable
from tests.meetings.conftest import held, stay


def board(user, start: str, end: str, zone: str = "UTC", **filters):
    window = DateWindow(
        start=date.fromisoformat(start), end=date.fromisoformat(end), tz=ZoneInfo(zone)
    )
    return selectors.history_dashboard(
        user=user,
        filters=HistoryFilter(window=window, **filters),
        cursor=None,
        table_fields=DashboardMeetingsTable.reads,
    )


def heat(dashboard) -> dict[tuple[str, int], int]:
    return {
        (row["day"], cell["hour"]): cell["count"]
        for row in dashboard.heatmap
        for cell in row["cells"]
        if cell["count"]
    }


def test_a_meeting_crossing_midnight_counts_on_the_day_it_started(admin_user, history):
    held(history.olga, "2026-03-03T23:30", 90, 2, 120)
    assert board(admin_user, "2026-03-03", "2026-03-03").kpis["meetings"] == 1
    assert board(admin_user, "2026-03-04", "2026-03-04").kpis["meetings"] == 1  # only #3


def test_a_kolkata_viewer_sees_kolkata_days_and_hours(admin_user, history):
    # #1 09:15 and #2 09:45 UTC are 14:45 and 15:15 in Kolkata (UTC+5:30), Monday; a meeting
    # at 20:00 UTC on Sunday 03-01 is Monday 01:30 there, inside the week.
    held(history.olga, "2026-03-01T20:00", 30, 0, 0)
    week = board(admin_user, "2026-03-02", "2026-03-08", zone="Asia/Kolkata")
    assert week.kpis["meetings"] == 5
    assert heat(week) == {
        ("Mon", 1): 1,
        ("Mon", 14): 1,
        ("Mon", 15): 1,
        ("Wed", 19): 1,
        ("Thu", 15): 1,
    }
    assert [n for _day, n in week.per_period] == [3, 0, 1, 1, 0, 0, 0]


def test_new_york_hours_move_with_its_dst_change(admin_user, history):
    # 13:00 UTC is 08:00 EST on Friday 03-06 and 09:00 EDT on Monday 03-09 (DST from 03-08).
    held(history.olga, "2026-03-06T13:00", 30, 0, 0)
    held(history.olga, "2026-03-09T13:00", 30, 0, 0)
    both = board(admin_user, "2026-03-06", "2026-03-09", zone="America/New_York")
    assert heat(both) == {("Fri", 8): 1, ("Mon", 9): 1}
    # Paris stays on winter time until 03-29: 13:00 UTC is 14:00 on both days.
    paris = board(admin_user, "2026-03-06", "2026-03-09", zone="Europe/Paris")
    assert heat(paris) == {("Fri", 14): 1, ("Mon", 14): 1}


def test_a_re_synced_attendee_list_replaces_the_people_counted(admin_user, history):
    assert board(admin_user, "2026-03-02", "2026-03-08").kpis["unique_attendees"] == 3
    with rollups_kept(instance_ids=[history.m1.pk]):  # as the sync re-writes the list
        Attendee.objects.filter(instance=history.m1).delete()
        stay(history.m1, "new@ex.com", 30)
        stay(history.m1, "other@ex.com", 30)
    # x@ex.com attended only #1: gone; y@ (#2), z@ (#3) stay; new@ and other@ come.
    assert board(admin_user, "2026-03-02", "2026-03-08").kpis["unique_attendees"] == 4


def test_an_instance_moved_to_another_group_leaves_its_old_cells(admin_user, history):
    with rollups_kept(instance_ids=[history.m3.pk]):
        type(history.m3).objects.filter(pk=history.m3.pk).update(group=history.support)
    assert not OrganizerDay.objects.filter(group=history.emea).exists()
    emea = board(admin_user, "2026-03-02", "2026-03-08", group=history.emea)
    assert emea.kpis["meetings"] == 0
    support = board(admin_user, "2026-03-02", "2026-03-08", group=history.support)
    assert support.kpis["meetings"] == 2


def test_a_deleted_organizer_keeps_their_history_on_the_dashboard(admin_user, history):
    history.alice.deleted_at = timezone.now()
    history.alice.save(update_fields=["deleted_at"])
    week = board(admin_user, "2026-03-02", "2026-03-08")
    assert week.kpis["meetings"] == 4
    assert [row["name"] for row in week.top_by_meetings][:1] == ["Alice Archer"]


def test_a_manager_of_a_group_tree_sees_the_tree_only(history, manager_user):
    manager_user.managed_groups.set([history.sales])  # Sales and its sub-group Sales EMEA
    week = board(manager_user, "2026-03-02", "2026-03-08", zone="Europe/Paris")
    assert week.kpis["meetings"] == 3
    assert week.kpis["attendee_minutes"] == 150 + 30 + 900
    assert week.kpis["unique_attendees"] == 3  # x, y, z (not Olga's meeting)
    assert {row["name"] for row in week.top_by_meetings} == {"Alice Archer", "Bob Baker"}


def test_a_years_top_organizers_read_two_running_totals_and_a_few_days():
    """A year's top lists read each organizer's running totals twice (up to the last day,
    less up to the day before the first) and the few days around the month boundaries; a
    week reads its own days (issue 14: at 5,000 organizers a year's months were 60k rows)."""
    from meetings.rollups import RollupRange, _top_terms

    year = _top_terms(RollupRange(date(2025, 12, 4), date(2026, 12, 2)), today=date(2026, 12, 3))
    assert sorted((kind, sign, low) for kind, sign, low, _high in year if kind == "running") == [
        ("running", -1, date(2025, 11, 1)),  # up to November 2025, less
        ("running", 1, date(2026, 12, 1)),  # up to December 2026 (today's month)
    ]
    days = {(sign, low, high) for kind, sign, low, high in year if kind == "days"}
    assert days == {
        (-1, date(2025, 12, 1), date(2025, 12, 3)),  # December 2025 before the range
        (-1, date(2026, 12, 3), date(2026, 12, 31)),  # today and after: only today's cells
    }
    week = _top_terms(RollupRange(date(2026, 11, 26), date(2026, 12, 2)), today=date(2026, 12, 3))
    assert week == [("days", 1, date(2026, 11, 26), date(2026, 12, 2))]


def test_a_meeting_dated_after_today_is_not_in_a_range_that_ends_today(db):
    """The top lists read a month's running totals less its days after the range, even days
    after today: a meeting dated later (a skewed clock, imported data) is not counted."""
    from datetime import UTC, datetime, timedelta

    from django.db import transaction

    from meetings.models import MeetingInstance
    from meetings.rollups import RollupRange, rollup_top_organizers, rollups_kept
    from tests.factories import OrganizerFactory

    today = datetime.now(UTC).date()
    organizer = OrganizerFactory()
    month_last = (today.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    later = max(month_last, today + timedelta(days=1))  # this month's last day, or tomorrow
    for key, day in ((1, today - timedelta(days=40)), (2, later)):
        start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
        with transaction.atomic(), rollups_kept(instance_keys=[key]):
            MeetingInstance.objects.create(
                instance_key=key, meeting_id=key, organizer=organizer, subject="Held",
                start_time=start, end_time=start + timedelta(minutes=30), duration_minutes=30,
                attendee_minutes=10,
            )  # fmt: skip
    top = rollup_top_organizers(
        days=RollupRange(today - timedelta(days=60), today),
        group_ids=None,
        organizer_id=None,
        edges=MeetingInstance.objects.none(),
        limit=10,
    )
    assert [(row["organizer_id"], row["meetings"]) for row in top["meetings"]] == [
        (organizer.pk, 1)
    ]
