"""The organizers list: filters, search, sort, pagination, freshness, deleted rows, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

URL = reverse("organizers:list")


def _emails(response):
    return [o.email for o in response.context["organizers"]]


@pytest.fixture
def admin(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def people():
    sales, support = GroupFactory(name="Sales"), GroupFactory(name="Support")
    return {
        "ada": OrganizerFactory(
            email="ada@acme.example", first_name="Ada", last_name="Lovelace", group=sales
        ),
        "bob": OrganizerFactory(
            email="bob@acme.example",
            first_name="Bob",
            last_name="Builder",
            group=support,
            status="suspended",
            products="G2M,G2W",
        ),
        "pia": OrganizerFactory(
            email="pia@acme.example",
            first_name="Pia",
            last_name="Pending",
            group=sales,
            organizer_key=None,
            products="OPENVOICE",
        ),
        "old": OrganizerFactory(
            email="gone@acme.example",
            first_name="Gone",
            last_name="Away",
            group=support,
            deleted_at=timezone.now(),
        ),
        "sales": sales,
        "support": support,
    }


def test_list_hides_deleted_organizers_by_default(admin, people):
    response = admin.get(URL)
    assert response.status_code == 200
    assert _emails(response) == ["bob@acme.example", "ada@acme.example", "pia@acme.example"]


def test_show_deleted_filter_shows_them_marked_deleted(admin, people):
    response = admin.get(URL, {"show_deleted": "on"})
    assert "gone@acme.example" in _emails(response)
    assert "Deleted" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "active"}, ["ada@acme.example"]),
        ({"status": "suspended"}, ["bob@acme.example"]),
        ({"status": "pending"}, ["pia@acme.example"]),
        ({"product": "G2W"}, ["bob@acme.example"]),
        ({"product": "G2M"}, ["bob@acme.example", "ada@acme.example"]),
        ({"product": "OPENVOICE"}, ["pia@acme.example"]),
        ({"q": "love"}, ["ada@acme.example"]),
        ({"q": "BOB@acme"}, ["bob@acme.example"]),
        ({"q": "pia pending"}, ["pia@acme.example"]),
        ({"q": "nobody"}, []),
    ],
)
def test_filters_and_search(admin, people, params, expected):
    assert _emails(admin.get(URL, params)) == expected


def test_group_filter(admin, people):
    response = admin.get(URL, {"group": people["sales"].pk})
    assert _emails(response) == ["ada@acme.example", "pia@acme.example"]


def test_unknown_filter_value_shows_an_error_and_no_rows(admin, people):
    response = admin.get(URL, {"status": "sleeping"})
    assert _emails(response) == []
    assert "Select a valid choice" in response.content.decode()


def test_empty_state_names_the_filters(admin, people):
    response = admin.get(URL, {"q": "nobody"})
    assert "No organizers match these filters." in response.content.decode()


def test_sort_by_email_descending(admin, people):
    response = admin.get(URL, {"sort": "-email"})
    assert _emails(response) == ["pia@acme.example", "bob@acme.example", "ada@acme.example"]


def test_rows_show_when_they_were_refreshed_from_goto(admin, people):
    people["ada"].synced_at = timezone.now() - timedelta(minutes=4)
    people["ada"].save()
    assert "4\xa0minutes ago" in admin.get(URL).content.decode()


def test_list_is_paginated(admin):
    group = GroupFactory()
    OrganizerFactory.create_batch(55, group=group)
    first = admin.get(URL)
    assert len(first.context["organizers"]) == 50
    second = admin.get(URL, {"page": 2})
    assert len(second.context["organizers"]) == 5
    assert not set(_emails(first)) & set(_emails(second))


def test_csv_export_has_exactly_the_filtered_rows(admin, people):
    OrganizerFactory(email="=cmd@acme.example", first_name="=HYPERLINK()", group=people["sales"])
    response = admin.get(URL, {"group": people["sales"].pk, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:6] == ["organizer key", "email", "first name", "last name", "group", "status"]
    emails = sorted(r[1] for r in rows[1:])
    assert emails == ["'=cmd@acme.example", "ada@acme.example", "pia@acme.example"]
    pending = next(r for r in rows[1:] if r[1] == "pia@acme.example")
    assert pending[5] == "Pending confirmation"
    assert pending[0] == ""


def test_csv_export_ignores_pagination(admin):
    OrganizerFactory.create_batch(60, group=GroupFactory())
    response = admin.get(URL, {"export": "csv", "page": 2})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 61


def test_manager_and_organizer_are_refused(client_for, manager_user, organizer_user):
    assert client_for(manager_user).get(URL).status_code == 403
    assert client_for(organizer_user).get(URL).status_code == 403


def test_csv_export_with_invalid_filters_is_refused_with_the_reason(admin, people):
    response = admin.get(URL, {"status": "sleeping", "export": "csv"})
    assert response.status_code == 400
    assert "status: Select a valid choice." in response.content.decode()


def _row_html(response, organizer) -> str:
    match = re.search(
        rf'<tr id="organizer-{organizer.pk}".*?</tr>', response.content.decode(), re.S
    )
    assert match, f"no row for {organizer.email}"
    return match.group(0)


def test_each_row_shows_its_status_and_the_action_it_allows(admin, people):
    response = admin.get(URL, {"show_deleted": "on"})
    ada, bob = _row_html(response, people["ada"]), _row_html(response, people["bob"])
    pia, old = _row_html(response, people["pia"]), _row_html(response, people["old"])
    assert "badge-active" in ada and 'hx-confirm="Suspend ada@acme.example?"' in ada
    assert "Suspended" in bob and 'hx-confirm="Reactivate bob@acme.example?"' in bob
    assert "Pending confirmation" in pia and ">Re-check</a>" in pia
    assert "Deleted" in old and "<a href" in old and "Suspend" not in old
    assert 'type="checkbox"' not in old  # a deleted organizer cannot be selected
    assert f'href="{reverse("organizers:detail", args=[people["ada"].pk])}"' in ada
    assert "G2M, G2W" in bob and "Support" in bob
    assert "?next=/organizers/%3Fshow_deleted%3Don" in ada  # back to this very list


def test_names_and_emails_are_escaped_in_rows(admin, people):
    people["ada"].first_name = '<script>alert("x")</script>'
    people["ada"].save()
    row = _row_html(admin.get(URL), people["ada"])
    assert "<script>" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
