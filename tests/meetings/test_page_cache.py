"""Busy read pages (dashboard, organizers list, a meeting's attendees) come from the page cache
while their data is unchanged, and never at the cost of what a user would notice: fresh data
after a sync or an action, a working CSRF token, a waiting message, another user's page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizers.models import Organizer
from portal import page_cache
from tests.factories import OrganizerFactory, UserFactory
from tests.meetings.conftest import stay
from tests.meetings.test_dashboard_cache import BrokenCache

pytestmark = pytest.mark.django_db

ORGANIZERS = reverse("organizers:list")
DASHBOARD = reverse("meetings:dashboard")
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def cache_state(response) -> str | None:
    return response.get(page_cache.HIT_HEADER)


def signed_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def test_second_view_of_an_unchanged_page_comes_from_the_cache(admin_user, history):
    client = signed_in(admin_user)
    first, second = client.get(ORGANIZERS), client.get(ORGANIZERS)
    assert (cache_state(first), cache_state(second)) == ("miss", "hit")
    body = second.content.decode()
    for organizer in (history.alice, history.bob, history.olga):
        assert organizer.email in body
    assert admin_user.email in body  # the layout is the user's own


def test_each_response_carries_its_own_working_csrf_token(admin_user, history):
    client = signed_in(admin_user, enforce_csrf=True)
    client.get(ORGANIZERS)
    cached = client.get(ORGANIZERS)
    assert cache_state(cached) == "hit"
    html = cached.content.decode()
    assert page_cache.CSRF_PLACEHOLDER not in html
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1
    again = client.get(ORGANIZERS)
    assert set(TOKEN.findall(again.content.decode())) != tokens  # masked anew, as Django does
    # The cached page's token is accepted: signing out with it works (403 when it is not).
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302


def test_a_synced_status_change_shows_at_once(admin_user, history):
    client = signed_in(admin_user)
    client.get(ORGANIZERS)
    Organizer.objects.filter(pk=history.olga.pk).update(
        status="suspended", synced_at=timezone.now() + timedelta(seconds=1)
    )
    page = client.get(ORGANIZERS)
    assert cache_state(page) == "miss"
    row = re.search(rf'id="organizer-{history.olga.pk}".*?</tr>', page.content.decode(), re.S)
    assert "Suspended" in row.group(0)


def test_an_organizer_marked_deleted_by_the_sync_shows_at_once(admin_user, history):
    client = signed_in(admin_user)
    client.get(ORGANIZERS, {"show_deleted": "on"})
    Organizer.objects.filter(pk=history.bob.pk).update(deleted_at=timezone.now())
    page = client.get(ORGANIZERS, {"show_deleted": "on"})
    row = re.search(rf'id="organizer-{history.bob.pk}".*?</tr>', page.content.decode(), re.S)
    assert "Deleted" in row.group(0)


def test_a_new_organizer_shows_at_once(admin_user, history):
    client = signed_in(admin_user)
    client.get(ORGANIZERS)
    OrganizerFactory(email="newcomer@acme.example", synced_at=None, group=history.sales)
    assert "newcomer@acme.example" in client.get(ORGANIZERS).content.decode()


def test_a_waiting_message_is_shown_not_skipped(admin_user, history, rf):
    client = signed_in(admin_user)
    client.get(ORGANIZERS)  # cached now
    # What an action's redirect leaves behind: a message in the messages cookie.
    waiting = [Message(constants.SUCCESS, "Suspended olga@acme.example.")]
    client.cookies["messages"] = CookieStorage(rf.get("/"))._encode(waiting)
    with_message = client.get(ORGANIZERS)
    assert cache_state(with_message) is None
    assert "Suspended olga@acme.example." in with_message.content.decode()
    after = client.get(ORGANIZERS)
    assert "Suspended olga@acme.example." not in after.content.decode()  # shown once
    assert cache_state(after) == "hit"


def test_another_user_never_gets_someone_elses_page(admin_user, history):
    other = UserFactory(email="carol.admin@acme.example", role="admin", organizer_key=9000009)
    signed_in(admin_user).get(ORGANIZERS)
    page = signed_in(other).get(ORGANIZERS)
    assert cache_state(page) == "miss"
    assert "carol.admin@acme.example" in page.content.decode()
    assert "alice.admin@acme.example" not in page.content.decode()


def test_the_dashboards_htmx_filter_swap_is_cached_apart(account_manager, history):
    client = signed_in(account_manager)
    htmx = {"HX-Request": "true", "HX-Target": "dashboard-body"}
    assert 'data-kpi="meetings">4<' in client.get(DASHBOARD, WEEK).content.decode()
    filtered = {**WEEK, "group": history.support.pk}
    swaps = [client.get(DASHBOARD, filtered, headers=htmx) for _ in range(2)]
    assert [cache_state(s) for s in swaps] == ["miss", "hit"]
    for swap in swaps:
        assert 'data-kpi="meetings">1<' in swap.content.decode()
    assert cache_state(client.get(DASHBOARD, filtered)) == "miss"  # not the htmx answer


def test_a_meetings_attendee_list_synced_later_shows_at_once(account_manager, history):
    url = reverse("meetings:instance_detail", args=[history.m4.pk])
    client = signed_in(account_manager)
    assert "new.person@ex.com" not in client.get(url).content.decode()
    assert cache_state(client.get(url)) == "hit"
    stay(history.m4, "new.person@ex.com", 30)
    type(history.m4).objects.filter(pk=history.m4.pk).update(
        attendees_synced_at=timezone.now() + timedelta(seconds=1)
    )
    assert "new.person@ex.com" in client.get(url).content.decode()


def test_the_time_zone_is_part_of_the_cached_page(account_manager, history):
    client = signed_in(account_manager)
    url = reverse("meetings:instance_detail", args=[history.m1.pk])
    assert "09:15" in client.get(url).content.decode()
    client.cookies["tz"] = "Pacific/Auckland"  # 09:15 UTC is 22:15 there
    page = client.get(url)
    assert cache_state(page) == "miss"
    assert "22:15" in page.content.decode()


def test_pages_are_rendered_when_the_cache_is_down(
    admin_user, account_manager, history, monkeypatch
):
    monkeypatch.setattr(page_cache, "cache", BrokenCache())
    organizers = signed_in(admin_user).get(ORGANIZERS)
    assert organizers.status_code == 200
    assert history.olga.email in organizers.content.decode()
    dashboard = signed_in(account_manager).get(DASHBOARD, WEEK)
    assert dashboard.status_code == 200
    assert 'data-kpi="meetings">4<' in dashboard.content.decode()
