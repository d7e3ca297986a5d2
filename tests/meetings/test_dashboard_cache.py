"""The history dashboard is computed and rendered once and reused (the whole page per user,
its body for every user of the same scope), until the data changes (a new or re-synced
instance, a synced attendee list) or the user's scope or filters differ; the page still works
when the cache is down."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import dashboard_cache
from meetings.rollups import rollups_kept
from portal import page_cache
from tests.meetings.conftest import held, stay

URL = reverse("meetings:dashboard")
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


KPI = re.compile(r'data-kpi="(\w+)">([^<]*)<')


def kpis(response) -> dict:
    """The key figures as the page shows them (cached or not)."""
    assert response.status_code == 200
    shown = dict(KPI.findall(response.content.decode()))
    assert shown, "no key figures on the page"
    return {name: float(value.replace(",", "")) for name, value in shown.items()}


def test_second_view_reuses_the_computed_dashboard(client_for, account_manager, history):
    client = client_for(account_manager)
    with CaptureQueriesContext(connection) as first:
        first_page = client.get(URL, WEEK)
    with CaptureQueriesContext(connection) as second:
        second_page = client.get(URL, WEEK)
    first_kpis, second_kpis = kpis(first_page), kpis(second_page)
    assert second_kpis == first_kpis
    for shown in ("meetings-table", "heatmap", "chart-data", 'data-testid="freshness"'):
        assert shown in second_page.content.decode()
    assert first_kpis["meetings"] == 4

    # The aggregates and the table are not queried again.
    assert len(aggregates(first.captured_queries)) >= 2  # the day cells, the organizers' sums
    assert aggregates(second.captured_queries) == []
    assert len(second.captured_queries) <= len(first.captured_queries) - 5


def aggregates(queries) -> list[str]:
    """The queries that compute the figures: GROUP BYs, distinct counts and the reads of the
    roll-ups (meetings/rollups.py) the figures are summed from."""
    return [
        q["sql"]
        for q in queries
        if "GROUP BY" in q["sql"]
        or "DISTINCT" in q["sql"]
        or any(
            f"meetings_{cell}" in q["sql"] for cell in ("groupday", "groupmonth", "organizerday")
        )
    ]


def test_a_second_manager_of_the_same_scope_gets_the_computed_body(
    client, account_manager, history
):
    from django.test import Client

    from tests.factories import UserFactory

    client.force_login(account_manager)
    first = client.get(URL, WEEK)
    colleague = UserFactory(email="dana.manager@acme.example", role="manager")
    colleague.managed_groups.set([history.sales, history.support])  # the same scope
    other = Client()
    other.force_login(colleague)
    with CaptureQueriesContext(connection) as second:
        page = other.get(URL, WEEK)
    assert kpis(page) == kpis(first)
    assert colleague.email in page.content.decode()  # the layout is their own
    assert aggregates(second.captured_queries) == []


def test_a_new_synced_instance_shows_at_once(client_for, account_manager, history):
    client = client_for(account_manager)
    assert kpis(client.get(URL, WEEK))["meetings"] == 4
    held(history.olga, "2026-03-06T11:00", 30, 0, 0, subject="Just synced")
    assert kpis(client.get(URL, WEEK))["meetings"] == 5


def test_a_re_synced_instance_shows_at_once(client_for, account_manager, history):
    client = client_for(account_manager)
    assert kpis(client.get(URL, WEEK))["attendee_minutes"] == 1080
    with rollups_kept(instance_ids=[history.m4.pk]):  # as the sync writes it
        type(history.m4).objects.filter(pk=history.m4.pk).update(
            attendee_minutes=100, synced_at=timezone.now() + timedelta(seconds=1)
        )
    assert kpis(client.get(URL, WEEK))["attendee_minutes"] == 1180


def test_an_attendee_list_synced_later_shows_at_once(client_for, account_manager, history):
    client = client_for(account_manager)
    assert kpis(client.get(URL, WEEK))["unique_attendees"] == 3
    stay(history.m4, "new.person@ex.com", 30)
    type(history.m4).objects.filter(pk=history.m4.pk).update(
        attendees_synced_at=timezone.now() + timedelta(seconds=1)
    )
    assert kpis(client.get(URL, WEEK))["unique_attendees"] == 4


def test_a_scoped_manager_never_gets_the_whole_account_from_the_cache(
    client_for, account_manager, history
):
    client = client_for(account_manager)
    assert kpis(client.get(URL, WEEK))["meetings"] == 4
    account_manager.managed_groups.set([history.emea])  # the same user, now scoped to one group
    assert kpis(client.get(URL, WEEK))["meetings"] == 1  # Sales EMEA only


def test_filters_and_time_zone_are_part_of_the_cached_answer(client_for, account_manager, history):
    client = client_for(account_manager)
    assert kpis(client.get(URL, WEEK))["meetings"] == 4
    assert kpis(client.get(URL, {**WEEK, "group": history.support.pk}))["meetings"] == 1
    assert kpis(client.get(URL, {"start": "2026-03-02", "end": "2026-03-02"}))["meetings"] == 2
    client.cookies["tz"] = "Pacific/Auckland"  # Monday 09:15 UTC is Monday 22:15 there
    assert kpis(client.get(URL, {"start": "2026-03-02", "end": "2026-03-02"}))["meetings"] == 2
    assert kpis(client.get(URL, {"start": "2026-03-03", "end": "2026-03-03"}))["meetings"] == 0


class BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("Redis is down")

    set = get


@pytest.mark.parametrize("page", [WEEK, {**WEEK, "group": "support"}])
def test_dashboard_is_computed_when_the_cache_is_down(
    client_for, account_manager, history, monkeypatch, page
):
    monkeypatch.setattr(page_cache, "cache", BrokenCache())
    monkeypatch.setattr(dashboard_cache, "cache", BrokenCache())
    if page.get("group") == "support":
        page = {**page, "group": history.support.pk}
    response = client_for(account_manager).get(URL, page)
    assert kpis(response)["meetings"] == (4 if "group" not in page else 1)
