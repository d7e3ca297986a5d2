"""The sync keeps the dashboard's roll-ups: after syncing the sandbox's demo account, the
dashboard shows what plain SQL over the synced rows says, the cells are those a rebuild gives,
and a meeting held since (a new instance, its attendees) shows at the next sync."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from meetings.forms import TZ_COOKIE
from meetings.models import GroupDay, Meeting, MeetingInstance, OrganizerDay
from meetings.rollups import rollups_rebuild
from organizers.models import Group
from sync import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("meetings:dashboard")
ZONE = "America/New_York"


@pytest.fixture
def synced(sandbox, sync_settings, goto_client):
    client = goto_client()
    services.organizers_sync(client=client)
    services.scheduled_sync(client=client)
    services.history_sync(client=client)
    services.attendees_sync(client=client)
    return client


def plain_sql(*, start, end, group_ids: list[int] | None) -> dict:
    """The dashboard's key figures over the raw rows, in plain SQL."""
    where = "i.start_time >= %s AND i.start_time < %s"
    params: list = [start, end]
    if group_ids is not None:
        where += f" AND i.group_id IN ({', '.join(['%s'] * len(group_ids))})"
        params += group_ids
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(i.attendee_minutes), 0), "  # noqa: S608
            "COALESCE(SUM(i.num_attendees), 0), COALESCE(SUM(i.duration_minutes), 0) "
            f"FROM meetings_meetinginstance i WHERE {where}",
            params,
        )
        meetings, minutes, attendees, duration = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(DISTINCT LOWER(a.email)) FROM meetings_attendee a "  # noqa: S608
            f"JOIN meetings_meetinginstance i ON i.id = a.instance_id WHERE a.email <> '' "
            f"AND {where}",
            params,
        )
        unique = cursor.fetchone()[0]
    return {
        "meetings": meetings,
        "attendee_minutes": minutes,
        "unique_attendees": unique,
        "avg_attendees": round(attendees / meetings, 1) if meetings else 0,
        "avg_duration": round(duration / meetings, 1) if meetings else 0,
    }


KPIS = ("meetings", "attendee_minutes", "unique_attendees", "avg_attendees", "avg_duration")


def dashboard(client, user, **query) -> dict:
    """The key figures the dashboard page shows a viewer in New York."""
    client.force_login(user)
    client.cookies[TZ_COOKIE] = ZONE
    response = client.get(URL, query)
    assert response.status_code == 200
    kpis = response.context["board"].kpis
    return {name: kpis[name] for name in KPIS}


def bounds(first, last) -> tuple[datetime, datetime]:
    tz = ZoneInfo(ZONE)
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def test_the_demo_dashboard_shows_the_figures_of_plain_sql_over_the_synced_rows(client, synced):
    admin = UserFactory(email="figures@acme.example", role="admin")
    today = timezone.now().astimezone(ZoneInfo(ZONE)).date()
    first = today - timedelta(days=364)
    low, high = bounds(first, today)
    shown = dashboard(client, admin, start=first.isoformat(), end=today.isoformat())
    assert shown["meetings"] > 100, "the demo account has a year of history"
    assert shown == plain_sql(start=low, end=high, group_ids=None)

    group = Group.objects.filter(parent__isnull=True, instances__isnull=False).first()
    tree, level = {group.pk}, {group.pk}
    while level:  # the group and all its sub-groups
        level = set(Group.objects.filter(parent__in=level).values_list("pk", flat=True)) - tree
        tree |= level
    first = today - timedelta(days=89)
    low, high = bounds(first, today)
    shown = dashboard(client, admin, start=first.isoformat(), end=today.isoformat(), group=group.pk)
    assert shown == plain_sql(start=low, end=high, group_ids=sorted(tree))


def cell_rows():
    return sorted(
        map(repr, OrganizerDay.objects.values_list("organizer_id", "group_id", "day", "meetings"))
    ), sorted(map(repr, GroupDay.objects.values_list("group_id", "day", "meetings", "attendees")))


def test_the_cells_the_sync_keeps_are_those_a_rebuild_gives(sandbox, synced):
    meeting = Meeting.objects.filter(
        is_live=False, organizer__group__num_organizers__lte=50
    ).first()
    held = sandbox.hold_meeting(meeting.meeting_id, 4)
    services.group_history_sync(client=synced, group=meeting.organizer.group)
    instance = MeetingInstance.objects.get(instance_key=held["meetingInstanceKey"])
    day = instance.start_time.astimezone(UTC).date()
    midnight = datetime.combine(day, time.min, tzinfo=UTC)
    cell = OrganizerDay.objects.get(organizer=instance.organizer, group=instance.group, day=day)
    assert (
        cell.meetings
        == MeetingInstance.objects.filter(
            organizer=instance.organizer,
            group=instance.group,
            start_time__gte=midnight,
            start_time__lt=midnight + timedelta(days=1),
        ).count()
    )
    kept = cell_rows()
    rollups_rebuild(restart=True)
    assert cell_rows() == kept
