"""Live now: meetings in progress from the cache, refreshed every 10 s by htmx."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sync.models import SyncRun
from tests.factories import MeetingFactory


def test_live_page_polls_its_fragment_every_10_seconds(client_for, account_manager, history):
    MeetingFactory(organizer=history.alice, subject="Running now", is_live=True)
    html = client_for(account_manager).get(reverse("meetings:live")).content.decode()
    assert f'hx-get="{reverse("meetings:live_fragment")}"' in html
    assert 'hx-trigger="every 10s"' in html
    assert "Running now" in html


def test_fragment_lists_only_live_meetings(client_for, account_manager, history):
    MeetingFactory(organizer=history.alice, subject="Running now", is_live=True)
    MeetingFactory(organizer=history.bob, subject="Not started")
    MeetingFactory(
        organizer=history.bob, subject="Deleted", is_live=True, removed_at=timezone.now()
    )
    response = client_for(account_manager).get(reverse("meetings:live_fragment"))
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page
    assert "Running now" in html
    assert "Not started" not in html
    assert "Deleted" not in html


def test_nothing_live_says_so(client_for, manager_user, db):
    html = client_for(manager_user).get(reverse("meetings:live_fragment")).content.decode()
    assert "No meeting is in progress." in html
    assert "Live meetings never synced." in html


def test_fragment_shows_freshness(client_for, manager_user, db):
    SyncRun.objects.create(
        area="live", outcome="success", finished_at=timezone.now() - timedelta(minutes=2)
    )
    html = client_for(manager_user).get(reverse("meetings:live_fragment")).content.decode()
    assert "Live meetings synced 2\xa0minutes ago." in html


def test_scoped_manager_sees_only_their_groups_live_meetings(client_for, scoped_manager, history):
    MeetingFactory(organizer=history.alice, subject="Sales call", is_live=True)
    MeetingFactory(organizer=history.bob, subject="EMEA call", is_live=True)
    html = client_for(scoped_manager).get(reverse("meetings:live_fragment")).content.decode()
    assert "EMEA call" in html
    assert "Sales call" not in html
