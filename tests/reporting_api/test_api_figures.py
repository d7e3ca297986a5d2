"""The dashboard figures the API returns are the dashboard page's (pinned against the page's
own test numbers for the same data), and its lists carry what a BI tool needs: UTC times with
``Z``, filters as on the page, and a clear 400 for bad input."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}
pytestmark = pytest.mark.django_db
UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_figures_are_the_dashboards(api_get, make_token, account_manager, history, client_for):
    body = api_get(reverse("api:dashboard"), make_token(account_manager), **WEEK).json()
    # The same numbers tests/meetings/test_history_dashboard_page.py reads on the page.
    assert body["meetings"] == 4
    assert body["attendee_minutes"] == 1080
    assert body["unique_attendees"] == 3
    assert body["avg_attendees"] == 4.0
    assert body["avg_duration_minutes"] == 56.5
    assert body["period"] == "day"
    assert [p["start"] for p in body["per_period"]][:2] == ["2026-03-02", "2026-03-03"]
    assert sum(p["meetings"] for p in body["per_period"]) == 4
    assert body["top_organizers_by_meetings"][0] == {
        "organizer_id": history.alice.pk,
        "name": "Alice Archer",
        "meetings": 2,
        "attendee_minutes": 180,
    }
    page = client_for(account_manager).get(reverse("meetings:dashboard"), WEEK)
    assert f'data-kpi="meetings">{body["meetings"]}<' in page.content.decode()


def test_group_filter_includes_sub_groups(api_get, make_token, account_manager, history):
    secret = make_token(account_manager)
    body = api_get(reverse("api:dashboard"), secret, **WEEK, group=history.sales.pk).json()
    assert body["meetings"] == 3  # Alice's two in Sales and Bob's in Sales EMEA
    listed = api_get(reverse("api:meeting_instances"), secret, **WEEK, group=history.sales.pk)
    assert {r["id"] for r in listed.json()["results"]} == {
        history.m1.pk,
        history.m2.pk,
        history.m3.pk,
    }


def test_times_are_utc_with_z_and_days_follow_tz(api_get, make_token, account_manager, history):
    secret = make_token(account_manager)
    got = api_get(reverse("api:meeting_instances"), secret, **WEEK).json()["results"]
    assert got[0]["start_time"] == "2026-03-05T10:00:00Z"
    assert all(UTC_Z.match(r["start_time"]) and UTC_Z.match(r["end_time"]) for r in got)
    # Days are whole in ``tz``: Wednesday 14:00 UTC is already Thursday 04:00 in
    # Pacific/Kiritimati (UTC+14), so "Monday to Wednesday" there leaves Bob's meeting out.
    monday_to_wednesday = {"start": "2026-03-02", "end": "2026-03-04"}
    in_utc = api_get(reverse("api:meeting_instances"), secret, **monday_to_wednesday)
    assert {r["id"] for r in in_utc.json()["results"]} == {
        history.m1.pk,
        history.m2.pk,
        history.m3.pk,
    }
    kiritimati = api_get(
        reverse("api:meeting_instances"), secret, **monday_to_wednesday, tz="Pacific/Kiritimati"
    ).json()["results"]
    assert {r["id"] for r in kiritimati} == {history.m1.pk, history.m2.pk}
    assert kiritimati[0]["start_time"].endswith("Z")


def test_organizers_carry_licences_status_and_last_meeting(
    api_get, make_token, account_manager, history
):
    from tests.factories import OrganizerFactory

    history.olga.products = "G2M,G2W"
    history.olga.status = "suspended"
    history.olga.save()
    OrganizerFactory(organizer_key=None, group=history.support, email="new@acme.example")
    secret = make_token(account_manager)
    got = {r["email"]: r for r in api_get(reverse("api:organizers"), secret).json()["results"]}
    assert got[history.olga.email]["products"] == ["G2M", "G2W"]
    assert got[history.olga.email]["status"] == "suspended"
    assert got[history.olga.email]["last_meeting"] == "2026-03-05T10:00:00Z"
    assert got["new@acme.example"]["status"] == "pending"
    assert got["new@acme.example"]["last_meeting"] is None
    idle = api_get(reverse("api:organizers"), secret, inactive_days=30).json()["results"]
    assert {r["email"] for r in idle} == set(got)  # every meeting of the data is months old


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"start": "yesterday"}, {"start"}),
        ({"start": "2026-03-08", "end": "2026-03-01"}, {"end"}),
        ({"start": "0001-01-01"}, {"start"}),
        ({"tz": "Mars/Olympus"}, {"tz"}),
        ({"group": "abc", "organizer": "-1"}, {"group", "organizer"}),
        ({"strat": "2026-03-01"}, {"strat"}),
        ({"page_size": "0"}, {"page_size"}),
        ({"page_size": "5000"}, {"page_size"}),
        ({"cursor": "not-a-cursor"}, {"cursor"}),
        ({"start": "", "group": ""}, {"start", "group"}),  # blank is not "any" here
        ({"start": "2026-03-01", "start ": "x"}, {"start "}),
    ],
)
def test_bad_parameters_get_400_naming_each(
    api_get, make_token, account_manager, history, params, bad
):
    response = api_get(reverse("api:meeting_instances"), make_token(account_manager), **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == bad
    for name in bad:
        assert name in body["detail"]


def test_bad_organizer_filter_on_organizers(api_get, make_token, account_manager, history):
    response = api_get(reverse("api:organizers"), make_token(account_manager), inactive_days="7")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"inactive_days"}


def test_sync_freshness_reports_each_area(api_get, make_token, organizer_user):
    from django.utils import timezone

    from sync.models import SyncOutcome, SyncRun

    finished = timezone.now()
    SyncRun.objects.create(area="organizers", outcome=SyncOutcome.SUCCESS, finished_at=finished)
    got = api_get(reverse("api:sync_freshness"), make_token(organizer_user)).json()
    areas = {row["area"]: row for row in got}
    assert areas["organizers"]["stale"] is False
    assert areas["organizers"]["last_success_at"].endswith("Z")
    assert areas["history"]["last_success_at"] is None
    assert areas["history"]["stale"] is True
