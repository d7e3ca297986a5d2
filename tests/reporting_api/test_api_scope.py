"""A token acts with exactly its owner's scope, on every resource: a Manager scoped to Sales
EMEA never gets a row (or a figure) of Sales or Support, whatever the filters ask; a Manager
with no group gets nothing; an Organizer gets their own meetings only."""

from __future__ import annotations

import pytest
from django.urls import reverse

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}
ALL_TIME = {"start": "2026-01-01", "end": "2026-03-31"}
pytestmark = pytest.mark.django_db


def rows(api_get, secret, url_name, **params) -> list[dict]:
    response = api_get(reverse(url_name), secret, **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_scoped_manager_gets_only_their_groups_meetings(
    api_get, make_token, scoped_manager, history
):
    secret = make_token(scoped_manager)
    got = rows(api_get, secret, "api:meeting_instances", **ALL_TIME)
    assert [row["id"] for row in got] == [history.m3.pk]
    assert {row["group_name"] for row in got} == {"Sales EMEA"}


def test_scoped_manager_gets_only_their_groups_attendees(
    api_get, make_token, scoped_manager, history
):
    secret = make_token(scoped_manager)
    got = rows(api_get, secret, "api:attendees", **ALL_TIME)
    assert sorted(row["email"] for row in got) == ["", "z@ex.com"]
    assert {row["instance_id"] for row in got} == {history.m3.pk}


def test_scoped_manager_gets_only_their_groups_organizers(
    api_get, make_token, scoped_manager, history
):
    secret = make_token(scoped_manager)
    got = rows(api_get, secret, "api:organizers")
    assert [row["email"] for row in got] == [history.bob.email]


def test_scoped_manager_gets_only_their_groups_figures(
    api_get, make_token, scoped_manager, history
):
    response = api_get(reverse("api:dashboard"), make_token(scoped_manager), **WEEK)
    assert response.status_code == 200
    body = response.json()
    assert body["meetings"] == 1  # Bob's EMEA all hands; the other three are not theirs
    assert body["attendee_minutes"] == 900
    assert body["unique_attendees"] == 1
    assert [row["name"] for row in body["top_organizers_by_meetings"]] == ["Bob Baker"]


@pytest.mark.parametrize(
    "url_name", ["api:meeting_instances", "api:attendees", "api:dashboard", "api:organizers"]
)
def test_another_groups_filter_is_refused_not_widened(
    api_get, make_token, scoped_manager, history, url_name
):
    """Asking for a group (or organizer) outside the scope is a 400, as for an id that does
    not exist: it neither widens the scope nor tells whether the id exists."""
    secret = make_token(scoped_manager)
    response = api_get(reverse(url_name), secret, group=history.support.pk)
    assert response.status_code == 400
    assert response.json()["errors"].keys() == {"group"}
    if url_name != "api:organizers":
        response = api_get(reverse(url_name), secret, organizer=history.olga.pk)
        assert response.status_code == 400
        assert response.json()["errors"].keys() == {"organizer"}


@pytest.mark.parametrize("url_name", ["api:meeting_instances", "api:attendees", "api:organizers"])
def test_manager_with_no_group_sees_nothing(api_get, make_token, manager_user, history, url_name):
    assert (
        rows(
            api_get,
            make_token(manager_user),
            url_name,
            **({} if "organizers" in url_name else ALL_TIME),
        )
        == []
    )


def test_manager_with_no_group_gets_zero_figures(api_get, make_token, manager_user, history):
    body = api_get(reverse("api:dashboard"), make_token(manager_user), **WEEK).json()
    assert (body["meetings"], body["attendee_minutes"], body["unique_attendees"]) == (0, 0, 0)
    assert body["top_organizers_by_meetings"] == []


def test_organizer_gets_their_own_meetings_only(api_get, make_token, history):
    from tests.factories import UserFactory

    olga = UserFactory(role="organizer", organizer_key=history.olga.organizer_key)
    secret = make_token(olga)
    assert [r["id"] for r in rows(api_get, secret, "api:meeting_instances", **ALL_TIME)] == [
        history.m4.pk
    ]
    assert rows(api_get, secret, "api:attendees", **ALL_TIME) == []


def test_admin_gets_everything(api_get, make_token, admin_user, history):
    got = rows(api_get, make_token(admin_user), "api:meeting_instances", **ALL_TIME)
    assert len(got) == 5


def test_a_role_taken_away_applies_to_existing_tokens_at_once(
    api_get, make_token, account_manager, history
):
    secret = make_token(account_manager)
    assert len(rows(api_get, secret, "api:meeting_instances", **ALL_TIME)) == 5
    account_manager.managed_groups.set([history.emea])
    assert len(rows(api_get, secret, "api:meeting_instances", **ALL_TIME)) == 1
    account_manager.role = "organizer"
    account_manager.save(update_fields=["role"])
    assert api_get(reverse("api:dashboard"), secret).status_code == 403
