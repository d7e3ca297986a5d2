"""Licence use: organizers who hosted no meeting in the last 30/60/90 days, with their last one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizers.selectors import inactive_since, organizers_with_last_meeting
from tests.factories import GroupFactory, MeetingInstanceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosts():
    now = timezone.now()
    group = GroupFactory()
    recent = OrganizerFactory(email="recent@acme.example", group=group)
    d45 = OrganizerFactory(email="d45@acme.example", group=group)
    d75 = OrganizerFactory(email="d75@acme.example", group=group)
    d120 = OrganizerFactory(email="d120@acme.example", group=group)
    never = OrganizerFactory(email="never@acme.example", group=group)
    for organizer, days in [
        (recent, 2),
        (recent, 100),
        (d45, 45),
        (d75, 75),
        (d75, 200),
        (d120, 120),
    ]:
        MeetingInstanceFactory(organizer=organizer, start_time=now - timedelta(days=days))
    return {"recent": recent, "d45": d45, "d75": d75, "d120": d120, "never": never, "now": now}


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (30, {"d45", "d75", "d120", "never"}),
        (60, {"d75", "d120", "never"}),
        (90, {"d120", "never"}),
    ],
)
def test_inactive_filter_finds_organizers_without_meetings_in_the_window(
    admin_user, hosts, days, expected
):
    qs = inactive_since(organizers_with_last_meeting(admin_user), days)
    assert {o.email.split("@")[0] for o in qs} == expected


def test_last_meeting_is_the_latest_instance_computed_in_one_query(admin_user, hosts):
    with CaptureQueriesContext(connection) as queries:
        last = {o.email: o.last_meeting for o in organizers_with_last_meeting(admin_user)}
    assert len(queries) == 1
    # Computed by the database in the same query (a subquery on the instances' index).
    assert "MEETINGS_MEETINGINSTANCE" in queries[0]["sql"].upper()
    assert abs(last["d75@acme.example"] - (hosts["now"] - timedelta(days=75))) < timedelta(
        seconds=1
    )
    assert last["never@acme.example"] is None


def test_inactive_page_lists_them_with_last_meeting_date(client_for, admin_user, hosts):
    response = client_for(admin_user).get(reverse("organizers:list"), {"inactive": "60"})
    emails = {o.email for o in response.context["organizers"]}
    assert emails == {"d75@acme.example", "d120@acme.example", "never@acme.example"}
    html = response.content.decode()
    assert (hosts["now"] - timedelta(days=75)).strftime("%Y-%m-%d") in html
    assert "never" in html


def test_sort_by_last_meeting(client_for, admin_user, hosts):
    response = client_for(admin_user).get(
        reverse("organizers:list"), {"inactive": "30", "sort": "-last_meeting", "q": "d"}
    )
    assert [o.email for o in response.context["organizers"]] == [
        "d45@acme.example",
        "d75@acme.example",
        "d120@acme.example",
    ]


def test_inactive_value_outside_the_choices_is_refused(client_for, admin_user, hosts):
    response = client_for(admin_user).get(reverse("organizers:list"), {"inactive": "7"})
    assert list(response.context["organizers"]) == []
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("sort", ["last_meeting", "-last_meeting"])
def test_organizers_who_never_met_sort_last_either_way(client_for, admin_user, hosts, sort):
    response = client_for(admin_user).get(reverse("organizers:list"), {"sort": sort})
    emails = [o.email for o in response.context["organizers"]]
    assert emails[-1] == "never@acme.example"
    assert emails[0] == ("d120@acme.example" if sort == "last_meeting" else "recent@acme.example")
