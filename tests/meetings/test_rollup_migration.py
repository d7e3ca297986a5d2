"""The migrations that add the whole account's cells and the organizers' running totals build
every level for the history already cached (issue 14: "a migration builds them for existing
data")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from pyroaring import BitMap

from meetings.models import (
    AccountDay,
    AccountMonth,
    Attendee,
    MeetingInstance,
    OrganizerDay,
    OrganizerRunning,
)
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
END = START.date().replace(month=5, day=1)


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def test_migrating_forward_builds_the_account_cells_from_the_rows_already_cached():
    call_command("migrate", "meetings", "0006", verbosity=0)
    try:
        assert AccountDay._meta.db_table not in _tables()
        # History cached before the account cells existed: rows only, no cells.
        groups = [GroupFactory(name="Sales"), GroupFactory(name="Support")]
        organizers = [OrganizerFactory(group=g) for g in groups] + [OrganizerFactory(group=None)]
        instances = MeetingInstance.objects.bulk_create(
            MeetingInstance(
                instance_key=9_100_000 + i,
                meeting_id=9_200_000 + i,
                organizer=organizers[i % 3],
                group=organizers[i % 3].group,
                subject=f"Held {i}",
                start_time=START + timedelta(hours=5 * i),  # across midnight and a month end
                end_time=START + timedelta(hours=5 * i, minutes=30),
                duration_minutes=30,
                num_attendees=2,
                attendee_minutes=40,
            )
            for i in range(12)
        )
        Attendee.objects.bulk_create(
            Attendee(
                instance=instance,
                name="Someone",
                email=email,
                join_time=instance.start_time,
                duration_minutes=20,
            )
            for i, instance in enumerate(instances)
            for email in (f"p{i % 4}@ex.com", "Shared@Ex.com")
        )
        assert not OrganizerDay.objects.exists()
    finally:
        call_command("migrate", "meetings", verbosity=0)

    days: dict = {}
    for instance in instances:
        day = instance.start_time.astimezone(UTC).date()
        days[day] = days.get(day, 0) + 1
    assert dict(AccountDay.objects.values_list("day", "meetings")) == days
    assert sum(OrganizerDay.objects.values_list("meetings", flat=True)) == 12
    people = {
        month: len(BitMap.deserialize(bytes(blob)))
        for month, blob in AccountMonth.objects.values_list("month", "people")
    }
    # March 30–31: instances 0–5; April: 6–11; each month p0–p3 and the shared address
    # (lower-cased: "Shared@Ex.com" is one person).
    assert people == {START.date().replace(day=1): 5, START.date().replace(month=4, day=1): 5}
    # Each organizer's running totals: March's meetings, then March's and April's.
    march, april = START.date().replace(day=1), START.date().replace(month=4, day=1)
    expected = {}
    for instance in instances:
        for month in (march, april):
            if instance.start_time.astimezone(UTC).date() < (april if month == march else END):
                key = (instance.organizer_id, month)
                expected[key] = expected.get(key, 0) + 1
    assert {
        (organizer, month): meetings
        for organizer, month, meetings in OrganizerRunning.objects.values_list(
            "organizer_id", "month", "meetings"
        )
    } == expected
    assert (
        sum(OrganizerRunning.objects.filter(month=april).values_list("attendee_minutes", flat=True))
        == 12 * 40
    )


@pytest.mark.postgres
def test_the_top_organizers_read_their_running_totals_from_a_covering_index():
    """PostgreSQL: the running totals the top lists read are in an index of their own (an
    index-only scan, bench/); the month sums' covering index, which they no longer read, is
    gone (the sync kept it up for nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN (%s, %s)",
            ["orgrun_month_cover", "orgmonth_month_cover"],
        )
        found = dict(cursor.fetchall())
    assert list(found) == ["orgrun_month_cover"]
    assert (
        "(month, organizer_id) INCLUDE (group_id, meetings, attendee_minutes)"
        in (found["orgrun_month_cover"])
    )
