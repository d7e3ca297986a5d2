"""``?export=xlsx`` beside every ``?export=csv``: the same header and rows as the CSV (typed),
the same scope, the same refusal of invalid filters, an "Excel" link beside every CSV link.

The meetings lists use the small history of ``tests/meetings/conftest.py`` (its fixtures are
imported here), the organizers list and the audit log rows made below.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEntry, AuditOutcome
from tests.factories import GroupFactory, OrganizerFactory
from tests.portal.xlsx import assert_same_rows, column, sheet_rows, xlsx_sheet

pytestmark = pytest.mark.django_db

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}
DASHBOARD = reverse("meetings:dashboard")
REPORT = reverse("meetings:attendees_report")
ORGANIZERS = reverse("organizers:list")
AUDIT = reverse("accounts:audit_log")


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def _both(client, url: str, params: dict):
    """The CSV rows and the Excel sheet of the same export."""
    rows = _csv(client.get(url, {**params, "export": "csv"}))
    sheet = xlsx_sheet(client.get(url, {**params, "export": "xlsx"}))
    return rows, sheet


@pytest.fixture
def organizers(history):
    """Beside the history's three organizers (Alice has held meetings): a pending one with no
    key, a deleted one, and one whose name is a formula."""
    sales = history.sales
    OrganizerFactory(email="pia@acme.example", first_name="Pia", group=sales, organizer_key=None)
    OrganizerFactory(
        email="gone@acme.example",
        group=GroupFactory(name="Gone"),
        deleted_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
    )
    OrganizerFactory(
        email="=cmd@acme.example", first_name='=HYPERLINK("http://evil.example")', group=sales
    )


@pytest.fixture
def audit_entries(admin_user):
    when = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)
    for i, (action, detail) in enumerate(
        [("organizer.suspend", ""), ("organizer.delete", "=HYPERLINK(1)"), ("import.run", "+1")]
    ):
        entry = audit_record(
            actor=admin_user,
            action=AuditAction(action),
            target_type="organizer",
            target_id=str(100 + i),
            target_label=f"o{i}@acme.example",
            outcome=AuditOutcome.FAILURE if i == 1 else AuditOutcome.SUCCESS,
            detail=detail,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(created_at=when + timedelta(hours=i))


# --- Each list: the Excel file holds what the CSV holds ------------------------------------------


@pytest.mark.parametrize(
    ("params", "sheet_title"),
    [({**WEEK}, "Meetings"), ({**WEEK, "what": "attendees"}, "Attendees")],
)
def test_dashboard_exports_hold_the_same_rows_as_the_csv(
    client_for, account_manager, history, params, sheet_title
):
    client = client_for(account_manager)
    client.cookies["tz"] = "Europe/Paris"
    rows, sheet = _both(client, DASHBOARD, params)
    assert sheet.title == sheet_title
    assert len(rows) > 2
    assert_same_rows(rows, sheet)


def test_dashboard_meetings_cells_are_typed_in_the_users_time_zone(
    client_for, account_manager, history
):
    client = client_for(account_manager)
    client.cookies["tz"] = "Europe/Paris"
    sheet = xlsx_sheet(
        client.get(DASHBOARD, {**WEEK, "organizer": history.bob.pk, "export": "xlsx"})
    )
    assert column(sheet, "subject") == ["EMEA all hands"]
    assert column(sheet, "start") == [datetime(2026, 3, 4, 15, 0)]  # 14:00 UTC, Paris time
    assert column(sheet, "duration (min)") == [90]
    assert column(sheet, "attendees") == [12]
    assert column(sheet, "attendee-minutes") == [900]
    assert column(sheet, "instance key") == [history.m3.instance_key]
    assert sheet.freeze_panes == "A2"


def test_attendee_report_export_holds_the_same_rows_as_the_csv(
    client_for, account_manager, history
):
    rows, sheet = _both(client_for(account_manager), REPORT, WEEK)
    assert_same_rows(rows, sheet)
    assert column(sheet, "email") == ["x@ex.com", "y@ex.com", "z@ex.com"]
    assert column(sheet, "meetings attended") == [1, 2, 1]
    assert column(sheet, "minutes") == [100, 80, 90]
    assert column(sheet, "first joined")[0] == datetime(2026, 3, 2, 9, 15)


def test_held_meeting_attendees_export_holds_the_same_rows_as_the_csv(
    client_for, account_manager, history
):
    url = reverse("meetings:instance_detail", args=[history.m1.pk])
    rows, sheet = _both(client_for(account_manager), url, {})
    assert_same_rows(rows, sheet)
    assert column(sheet, "email") == ["x@ex.com", "y@ex.com", "X@EX.com"]
    assert column(sheet, "join time")[0] == datetime(2026, 3, 2, 9, 15)
    assert column(sheet, "duration (min)") == [60, 50, 40]


def test_organizers_export_holds_the_same_rows_as_the_csv(
    client_for, admin_user, history, organizers
):
    rows, sheet = _both(client_for(admin_user), ORGANIZERS, {"show_deleted": "on"})
    assert sheet.title == "Organizers"
    assert_same_rows(rows, sheet)
    by_email = {row[1]: row for row in sheet_rows(sheet)[1:]}
    header = sheet_rows(sheet)[0]
    pending = dict(zip(header, by_email["pia@acme.example"], strict=True))
    assert pending["organizer key"] is None and pending["status"] == "Pending confirmation"
    gone = dict(zip(header, by_email["gone@acme.example"], strict=True))
    assert gone["deleted at"] == datetime(2026, 3, 1, 8, 30)
    alice = dict(zip(header, by_email[history.alice.email], strict=True))
    assert alice["last meeting"] == datetime(2026, 3, 2, 9, 45)  # her latest held meeting
    assert isinstance(alice["organizer key"], int)
    evil = dict(zip(header, by_email["=cmd@acme.example"], strict=True))
    assert evil["first name"] == '=HYPERLINK("http://evil.example")'


def test_audit_log_export_holds_the_same_rows_as_the_csv(client_for, admin_user, audit_entries):
    rows, sheet = _both(client_for(admin_user), AUDIT, {})
    assert sheet.title == "Audit log"
    assert_same_rows(rows, sheet)
    assert len(rows) == 1 + 3
    when = column(sheet, "When")
    assert all(isinstance(value, datetime) for value in when)
    assert column(sheet, "Detail").count("=HYPERLINK(1)") == 1


# --- Same protection, same scope, same refusals ---------------------------------------------------


def test_a_formula_in_a_meeting_subject_stays_text(client_for, account_manager, history):
    history.m1.subject = '=HYPERLINK("http://evil.example","open me")'
    history.m1.save()
    sheet = xlsx_sheet(client_for(account_manager).get(DASHBOARD, {**WEEK, "export": "xlsx"}))
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[2].value))
    assert cell.value == '=HYPERLINK("http://evil.example","open me")'
    assert cell.data_type == "s" and cell.quotePrefix


def test_scoped_managers_excel_exports_hold_only_their_groups(client_for, scoped_manager, history):
    client = client_for(scoped_manager)
    meetings = xlsx_sheet(client.get(DASHBOARD, {**WEEK, "export": "xlsx"}))
    assert column(meetings, "subject") == ["EMEA all hands"]
    stays = xlsx_sheet(client.get(DASHBOARD, {**WEEK, "export": "xlsx", "what": "attendees"}))
    assert sorted(e or "" for e in column(stays, "attendee email")) == ["", "z@ex.com"]
    people = xlsx_sheet(client.get(REPORT, {**WEEK, "export": "xlsx"}))
    assert column(people, "email") == ["z@ex.com"]
    other = reverse("meetings:instance_detail", args=[history.m1.pk])
    assert client.get(other, {"export": "xlsx"}).status_code == 404


def test_manager_without_groups_gets_an_empty_excel_file(client_for, manager_user, history):
    sheet = xlsx_sheet(client_for(manager_user).get(DASHBOARD, {**WEEK, "export": "xlsx"}))
    assert len(sheet_rows(sheet)) == 1  # the header only


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (DASHBOARD, {"start": "2026-03-08", "end": "2026-03-02"}),
        (DASHBOARD, {**WEEK, "what": "everything"}),
        (REPORT, {"start": "9999-12-30", "end": "9999-12-31"}),
        (AUDIT, {"date_from": "2026-03-08", "date_to": "2026-03-02"}),
        (ORGANIZERS, {"status": "asleep"}),
    ],
)
def test_invalid_filters_are_refused_the_same_way_in_both_formats(
    client_for, admin_user, url, params
):
    client = client_for(admin_user)
    as_csv = client.get(url, {**params, "export": "csv"})
    as_xlsx = client.get(url, {**params, "export": "xlsx"})
    assert as_csv.status_code == as_xlsx.status_code == 400
    assert as_xlsx["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in as_xlsx
    assert as_xlsx.content == as_csv.content


@pytest.mark.parametrize("fixture", ["manager_user", "organizer_user"])
@pytest.mark.parametrize("url", [ORGANIZERS, AUDIT])
def test_admin_lists_excel_export_is_admin_only(client_for, request, fixture, url):
    client = client_for(request.getfixturevalue(fixture))
    assert client.get(url, {"export": "xlsx"}).status_code == 403


# --- The links --------------------------------------------------------------------------------


def _export_links(html: str) -> dict[str, list[dict]]:
    links: dict[str, list[dict]] = {"csv": [], "xlsx": []}
    for href in re.findall(r'href="([^"]*export=[^"]*)"', html):
        query = dict(parse_qsl(urlsplit(unescape(href)).query, keep_blank_values=True))
        links.setdefault(query.pop("export"), []).append(query)
    return links


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("account_manager", lambda h: (DASHBOARD, {**WEEK, "group": h.sales.pk})),
        ("account_manager", lambda h: (REPORT, {**WEEK, "organizer": h.alice.pk})),
        ("account_manager", lambda h: (reverse("meetings:instance_detail", args=[h.m1.pk]), {})),
        ("admin_user", lambda h: (ORGANIZERS, {"group": h.sales.pk, "page": "1"})),
        ("admin_user", lambda h: (AUDIT, {"outcome": "success"})),
    ],
)
def test_every_csv_link_has_an_excel_link_with_the_same_filters(
    client_for, request, history, who, page
):
    url, params = page(history)
    html = client_for(request.getfixturevalue(who)).get(url, params).content.decode()
    links = _export_links(html)
    assert links["csv"], f"{url} has a CSV link"
    assert sorted(map(sorted, (q.items() for q in links["xlsx"]))) == sorted(
        map(sorted, (q.items() for q in links["csv"]))
    )
