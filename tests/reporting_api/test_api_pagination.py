"""Cursor (keyset) pagination: following ``next`` walks every row exactly once, in order, even
with rows sharing a start time and rows arriving during the walk; the cursor is opaque and a
damaged one is a 400."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.factories import AttendeeFactory, MeetingInstanceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db
RANGE = {"start": "2026-01-01", "end": "2026-01-31"}


def walk(client, url: str, secret: str, params: dict) -> tuple[list[dict], int]:
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.get(url, params, headers=headers)
    rows, pages = [], 0
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        pages += 1
        if body["next"] is None:
            return rows, pages
        assert body["next"].startswith("http://testserver/api/v1/")
        response = client.get(body["next"], headers=headers)


@pytest.fixture
def many_instances(db):
    organizer = OrganizerFactory()
    base = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    made = []
    for n in range(23):
        # Groups of three share a start time: the cursor must still not skip or repeat.
        start = base + timedelta(minutes=n // 3)
        made.append(MeetingInstanceFactory(organizer=organizer, start_time=start))
    return made


def test_walk_returns_every_instance_once_newest_first(
    client, make_token, admin_user, many_instances
):
    rows, pages = walk(
        client,
        reverse("api:meeting_instances"),
        make_token(admin_user),
        {
            **RANGE,
            "page_size": 5,
        },
    )
    ids = [row["id"] for row in rows]
    assert sorted(ids) == sorted(i.pk for i in many_instances)
    assert len(ids) == len(set(ids))
    assert pages == 5
    keys = [(row["start_time"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)


def test_rows_synced_during_the_walk_do_not_shift_it(
    client, make_token, admin_user, many_instances
):
    secret = make_token(admin_user)
    headers = {"Authorization": f"Bearer {secret}"}
    first = client.get(
        reverse("api:meeting_instances"), {**RANGE, "page_size": 10}, headers=headers
    ).json()
    # A newer meeting arrives between two pages (the sync): the walk goes on where it was.
    MeetingInstanceFactory(start_time=datetime(2026, 1, 20, tzinfo=UTC))
    rest, _pages = walk(client, first["next"], secret, {})
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in rest]
    assert sorted(ids) == sorted(i.pk for i in many_instances)


def test_attendees_walk_once(client, make_token, admin_user, many_instances):
    made = [AttendeeFactory(instance=instance) for instance in many_instances[:7]]
    made += [AttendeeFactory(instance=many_instances[0]) for _ in range(4)]
    rows, _pages = walk(
        client,
        reverse("api:attendees"),
        make_token(admin_user),
        {
            **RANGE,
            "page_size": 3,
        },
    )
    assert sorted(r["id"] for r in rows) == sorted(a.pk for a in made)


def test_organizers_walk_once(client, make_token, admin_user, db):
    made = OrganizerFactory.create_batch(12)
    rows, pages = walk(client, reverse("api:organizers"), make_token(admin_user), {"page_size": 5})
    assert [r["id"] for r in rows] == sorted(o.pk for o in made)
    assert pages == 3


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        "cD0yMDI2LTAxLTEw",  # base64 of "p=2026-01-10": a position that is no datetime
        "cD1ub3QtYS1kYXRl",  # base64 of "p=not-a-date"
    ],
)
def test_damaged_cursor_is_a_400(client, make_token, admin_user, many_instances, cursor):
    response = client.get(
        reverse("api:meeting_instances"),
        {"cursor": cursor},
        headers={"Authorization": f"Bearer {make_token(admin_user)}"},
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"cursor"}
