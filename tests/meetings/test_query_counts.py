"""Pages cost a fixed number of queries whether they show 10 rows or 1,000.

Rows are bulk-inserted; each page is fetched with 10 and then with 1,000 rows behind it and
must stay under the same ceiling (aggregates run in the database, lists are keyset-paged).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendee, Meeting, MeetingInstance
from meetings.rollups import rollups_kept
from tests.factories import GroupFactory, OrganizerFactory

MAX_QUERIES = 20


@pytest.fixture
def owner(organizer_user):
    group = GroupFactory(name="Everyone")
    return OrganizerFactory(
        organizer_key=organizer_user.organizer_key, email=organizer_user.email, group=group
    )


def fill(owner, n: int) -> MeetingInstance:
    """``n`` held meetings of ``owner`` (the first with ``n`` attendees), ``n`` live and ``n``
    upcoming meetings."""
    now = timezone.now()
    base = MeetingInstance.objects.count()
    instances = MeetingInstance.objects.bulk_create(
        MeetingInstance(
            instance_key=10_000_000 + base + i,
            meeting_id=20_000_000 + base + i,
            organizer=owner,
            organizer_key=owner.organizer_key,
            group=owner.group,
            subject=f"Held {i}",
            start_time=now - timedelta(days=1, minutes=i * 7),
            end_time=now - timedelta(days=1, minutes=i * 7 - 30),
            duration_minutes=30,
            num_attendees=i % 40,
            attendee_minutes=(i % 40) * 20,
        )
        for i in range(n)
    )
    first = MeetingInstance.objects.filter(instance_key=10_000_000 + base).get()
    Attendee.objects.bulk_create(
        Attendee(
            instance=instances[i % len(instances)] if i else first,
            name=f"Person {i}",
            email=f"person{i % (n // 2 + 1)}@example.com",
            join_time=now - timedelta(days=1, minutes=i),
            leave_time=now - timedelta(days=1, minutes=i - 20),
            duration_minutes=20,
        )
        for i in range(n)
    )
    Attendee.objects.bulk_create(
        Attendee(
            instance=first,
            name=f"Guest {i}",
            email=f"guest{i}@example.com",
            join_time=first.start_time + timedelta(seconds=i),
            duration_minutes=5,
        )
        for i in range(n)
    )
    Meeting.objects.bulk_create(
        Meeting(
            meeting_id=30_000_000 + base + i,
            organizer=owner,
            organizer_key=owner.organizer_key,
            subject=f"Upcoming {i}",
            start_time=now + timedelta(hours=1 + i),
            end_time=now + timedelta(hours=2 + i),
            is_live=i % 2 == 0,
        )
        for i in range(n)
    )
    # Rows written in bulk, as the sync writes them: with the dashboard's roll-ups kept.
    written = MeetingInstance.objects.filter(instance_key__gte=10_000_000 + base)
    with rollups_kept(instance_ids=written.values_list("pk", flat=True)):
        pass
    return first


def pages(first: MeetingInstance, owner) -> dict[str, tuple[str, dict]]:
    meeting = Meeting.objects.filter(organizer=owner).order_by("pk").first()
    MeetingInstance.objects.filter(pk=first.pk).update(meeting_id=meeting.meeting_id)
    return {
        "dashboard": (reverse("meetings:dashboard"), {"start": "2020-01-01"}),
        "dashboard_export": (
            reverse("meetings:dashboard"),
            {"start": "2020-01-01", "export": "csv", "what": "attendees"},
        ),
        "attendees_report": (reverse("meetings:attendees_report"), {"start": "2020-01-01"}),
        "attended": (
            reverse("meetings:attendees_report"),
            {"start": "2020-01-01", "attended": "person1@example.com"},
        ),
        "live": (reverse("meetings:live"), {}),
        "live_fragment": (reverse("meetings:live_fragment"), {}),
        "organizer_meetings": (reverse("meetings:organizer_meetings", args=[owner.pk]), {}),
        "detail": (reverse("meetings:detail", args=[meeting.pk]), {}),
        "instance_detail": (reverse("meetings:instance_detail", args=[first.pk]), {}),
        "instance_export": (
            reverse("meetings:instance_detail", args=[first.pk]),
            {"export": "csv"},
        ),
    }


PAGE_NAMES = [
    "dashboard",
    "dashboard_export",
    "attendees_report",
    "attended",
    "live",
    "live_fragment",
    "organizer_meetings",
    "detail",
    "instance_detail",
    "instance_export",
]


def fetch(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    form = (response.context or {}).get("form")
    assert form is None or not form.errors, form.errors
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_admin_pages_stay_within_a_fixed_number_of_queries(
    page, client, admin_user, owner, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for n in (10, 1000):
        first = fill(owner, n)
        url, params = pages(first, owner)[page]
        with django_assert_max_num_queries(MAX_QUERIES):
            fetch(client, url, params)


def test_my_meetings_stays_within_a_fixed_number_of_queries(
    client, organizer_user, owner, django_assert_max_num_queries
):
    client.force_login(organizer_user)
    for n in (10, 1000):
        fill(owner, n)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = fetch(client, reverse("meetings:my_meetings"), {})
        assert len(response.context["history"].rows) == min(n, 50)
        assert len(response.context["scheduled"].rows) == min(n, 50)


def test_scoped_manager_dashboard_stays_within_a_fixed_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    manager = UserFactory(email="scoped@acme.example", role="manager")
    manager.managed_groups.add(owner.group)
    client.force_login(manager)
    for n in (10, 1000):
        fill(owner, n)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = fetch(client, reverse("meetings:dashboard"), {"start": "2020-01-01"})
        assert response.context["board"].kpis["meetings"] == (10 if n == 10 else 1010)


@pytest.mark.parametrize(
    ("scope", "ceiling"),
    [("account", 10), ("group tree", 12)],
)
def test_a_cold_dashboard_reads_ten_queries_for_the_account_and_twelve_for_a_group_tree(
    scope, ceiling, client, admin_user, owner, django_assert_max_num_queries
):
    """Issue 14's ceiling (make bench marks it): session, user, version, cells, the range's
    edges, top organizers, the table page, freshness in one statement, the two filters' options;
    a group tree adds the chosen group and its sub-groups, each read once."""
    from sync.models import SyncArea, SyncOutcome, SyncRun

    child = GroupFactory(name="Sub-team", parent=owner.group)
    SyncRun.objects.create(area=SyncArea.HISTORY, key="", outcome=SyncOutcome.SUCCESS,
                           finished_at=timezone.now())  # fmt: skip
    SyncRun.objects.create(area=SyncArea.HISTORY, key=str(child.group_key),
                           outcome=SyncOutcome.SUCCESS, finished_at=timezone.now())  # fmt: skip
    client.force_login(admin_user)
    fill(owner, 100)
    params = {"start": "2020-01-01"}
    if scope == "group tree":
        params["group"] = owner.group.pk
    # The session's first touch, on other dates: the measured view below is cold.
    fetch(client, reverse("meetings:dashboard"), {**params, "start": "2020-01-02"})
    with django_assert_max_num_queries(ceiling):
        response = fetch(client, reverse("meetings:dashboard"), params)
    assert response.context["board"].kpis["meetings"] == 100
