"""A Manager whom no Admin has scoped to a group sees nothing (it used to see the whole
account: dashboard, CSV export, live meetings). The URL × role matrix walks every URL with such
a Manager too, and with a Manager scoped to a group tree.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


# --- 1. A Manager with no group sees nothing -------------------------------------------------


def test_manager_with_no_group_sees_no_meeting_and_is_told_why(client_for, manager_user, history):
    client = client_for(manager_user)
    page = client.get(reverse("meetings:dashboard"), WEEK)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="no-scope"' in html and "An Admin has to assign you groups" in html
    assert 'data-kpi="meetings">0<' in html
    for name in ("Sales", "Support", "Alice Archer", "Pipeline review"):
        assert name not in html, name


def test_manager_with_no_group_exports_no_row(client_for, manager_user, history):
    client = client_for(manager_user)
    meetings = _csv(client.get(reverse("meetings:dashboard"), {**WEEK, "export": "csv"}))
    assert len(meetings) == 1  # the header alone
    people = client.get(reverse("meetings:attendees_report"), {**WEEK, "export": "csv"})
    assert len(_csv(people)) == 1


def test_manager_with_no_group_cannot_open_a_held_meeting(client_for, manager_user, history):
    url = reverse("meetings:instance_detail", kwargs={"pk": history.m1.pk})
    assert client_for(manager_user).get(url).status_code == 404


def test_manager_with_no_group_sees_no_live_meeting(client_for, manager_user, history):
    from tests.factories import MeetingFactory

    MeetingFactory(organizer=history.alice, subject="Board call", is_live=True)
    html = client_for(manager_user).get(reverse("meetings:live_fragment")).content.decode()
    assert "Board call" not in html


def test_assigning_a_group_shows_that_group_at_once(client_for, manager_user, history):
    client = client_for(manager_user)
    assert (
        'data-kpi="meetings">0<' in client.get(reverse("meetings:dashboard"), WEEK).content.decode()
    )
    manager_user.managed_groups.add(history.support)
    html = client.get(reverse("meetings:dashboard"), WEEK).content.decode()
    assert 'data-kpi="meetings">1<' in html and 'data-testid="no-scope"' not in html
