"""The audit log page: Admins only, filters (user, action, target, outcome, dates), pagination,
CSV export of exactly what the filters show, and no way to edit or delete entries."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEntry, AuditOutcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_log")


def _at(entry: AuditEntry, when: datetime) -> AuditEntry:
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


@pytest.fixture
def entries(admin_user, organizer_user):
    day = timezone.make_aware(datetime(2026, 3, 10, 12, 0))
    carol = organizer_user
    return {
        "suspend": _at(
            audit_record(
                actor=admin_user,
                action=AuditAction.ORGANIZER_SUSPEND,
                target_type="organizer",
                target_id="123",
                target_label="zed@acme.example",
            ),
            day,
        ),
        "failed_delete": _at(
            audit_record(
                actor=admin_user,
                action=AuditAction.ORGANIZER_DELETE,
                target_type="organizer",
                target_id="456",
                target_label="yan@acme.example",
                outcome=AuditOutcome.FAILURE,
                detail="=HYPERLINK(1)",
            ),
            day + timedelta(days=1),
        ),
        "meeting": _at(
            audit_record(
                actor=carol, action=AuditAction.MEETING_CREATE, target_label="Weekly sync"
            ),
            day + timedelta(days=5),
        ),
    }


def _ids(response) -> set[int]:
    return {entry.pk for entry in response.context["page"].object_list}


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def test_admin_sees_every_entry_newest_first(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    listed = [e.pk for e in response.context["page"].object_list]
    assert listed == [entries["meeting"].pk, entries["failed_delete"].pk, entries["suspend"].pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "carol.organizer"}, {"meeting"}),
        ({"action": "organizer.delete"}, {"failed_delete"}),
        ({"target": "zed@acme"}, {"suspend"}),
        ({"target": "456"}, {"failed_delete"}),
        ({"outcome": "failure"}, {"failed_delete"}),
        ({"date_from": "2026-03-11"}, {"failed_delete", "meeting"}),
        ({"date_to": "2026-03-11"}, {"suspend", "failed_delete"}),
        ({"date_from": "2026-03-11", "date_to": "2026-03-11"}, {"failed_delete"}),
        ({"user": "alice.admin", "outcome": "success"}, {"suspend"}),
    ],
)
def test_filters_select_the_matching_entries(client_for, admin_user, entries, query, expected):
    response = client_for(admin_user).get(URL, query)
    assert response.status_code == 200
    assert _ids(response) == {entries[name].pk for name in expected}


def test_a_backwards_date_range_is_an_error_and_shows_nothing(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL, {"date_from": "2026-03-12", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert b"The start date is after the end date." in response.content
    assert _ids(response) == set()


def test_an_unknown_outcome_is_an_error(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL, {"outcome": "maybe"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_empty_result_says_so(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL, {"target": "nobody-at-all"})
    assert b"No audit entries match these filters." in response.content


def test_pages_of_fifty(client_for, admin_user):
    for n in range(51):
        audit_record(
            actor=admin_user, action=AuditAction.ORGANIZER_RECHECK, target_label=f"item {n}"
        )
    client = client_for(admin_user)
    first = client.get(URL, {"action": "organizer.recheck"})
    assert len(first.context["page"].object_list) == 50
    assert b"page=2" in first.content and b"action=organizer.recheck" in first.content
    second = client.get(URL, {"action": "organizer.recheck", "page": 2})
    assert len(second.context["page"].object_list) == 1


def test_csv_export_streams_exactly_the_filtered_entries(client_for, admin_user, entries):
    response = client_for(admin_user).get(URL, {"action": "organizer.delete", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:3] == ["When", "Who", "Action"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Who"] == admin_user.email
    assert row["Target"] == "yan@acme.example"
    assert row["Outcome"] == "failure"
    assert row["Detail"] == "'=HYPERLINK(1)"  # formula neutralised


def test_csv_export_of_all_entries(client_for, admin_user, entries):
    rows = _csv(client_for(admin_user).get(URL, {"export": "csv"}))
    assert len(rows) == 1 + 3


def test_csv_export_with_invalid_filters_exports_nothing(client_for, admin_user, entries):
    response = client_for(admin_user).get(
        URL, {"export": "csv", "date_from": "2026-03-12", "date_to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert b"nothing was exported" in response.content


@pytest.mark.parametrize("fixture", ["manager_user", "organizer_user"])
def test_audit_log_and_its_export_are_admin_only(client_for, request, fixture, entries):
    client = client_for(request.getfixturevalue(fixture))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"export": "csv"}).status_code == 403


def test_django_admin_cannot_add_change_or_delete_entries(entries):
    superuser = UserFactory(email="root@acme.example", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEntry]
    entry = entries["suspend"]
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_django_admin_delete_url_is_refused(client, entries):
    superuser = UserFactory(email="root@acme.example", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    entry = entries["suspend"]
    url = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
