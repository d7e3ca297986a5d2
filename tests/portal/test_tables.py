"""The lists declared once (portal.tables): every Python-written cell is escaped, and each
list's page and CSV show the same columns in the same order."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.tables import AuditLogTable
from meetings.tables import AttendeeReportTable, DashboardMeetingsTable, InstanceAttendeesTable
from organizers.models import ImportJob, ImportRow
from organizers.tables import ImportResultTable, OrganizerTable
from portal.escaping import escaped, escaped_all
from portal.tables import Column, Table
from sync.models import SyncRun
from sync.tables import SyncRunTable
from tests.factories import (
    AttendeeFactory,
    GroupFactory,
    MeetingInstanceFactory,
    OrganizerFactory,
)

pytestmark = pytest.mark.django_db

# Braces too: rows are written into format_html patterns, where "{0}" would be a field.
EVIL = "<script>alert(1)</script>\"'{0}{name}"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;{0}{name}"


@pytest.fixture
def evil(admin_user):
    """An organizer, group, meeting, attendee, audit entry, import line and sync run, each
    with a name that is HTML."""
    group = GroupFactory(name=EVIL)
    organizer = OrganizerFactory(
        first_name=EVIL, last_name="", email=f"{EVIL}@acme.example", group=group
    )
    start = timezone.now() - timedelta(days=1)
    instance = MeetingInstanceFactory(
        organizer=organizer,
        organizer_key=organizer.organizer_key,
        group=group,
        subject=EVIL,
        start_time=start,
        end_time=start + timedelta(minutes=30),
        duration_minutes=30,
        num_attendees=1,
        attendee_minutes=30,
    )
    AttendeeFactory(instance=instance, name=EVIL, email=f"{EVIL}@guest.example")
    audit_record(
        actor=admin_user, action=AuditAction.ORGANIZER_SUSPEND, target_label=EVIL, detail=EVIL
    )
    job = ImportJob.objects.create(created_by=admin_user, filename="people.csv")
    ImportRow.objects.create(job=job, line_number=2, email=EVIL, group_name=EVIL, error=EVIL)
    SyncRun.objects.create(area="organizers", outcome="failed", error=EVIL, triggered_by=EVIL)
    return {"organizer": organizer, "instance": instance, "job": job}


def _pages(evil) -> dict[str, str]:
    return {
        "organizers": reverse("organizers:list"),
        "dashboard": reverse("meetings:dashboard"),
        "attendee report": reverse("meetings:attendees_report"),
        "attendees of a meeting": reverse("meetings:instance_detail", args=[evil["instance"].pk]),
        "audit log": reverse("accounts:audit_log"),
        "sync runs": reverse("sync:status"),
        "import result": reverse("organizers:import_result", args=[evil["job"].pk]),
    }


def test_every_list_page_escapes_names(client_for, admin_user, evil):
    client = client_for(admin_user)
    for name, url in _pages(evil).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert EVIL not in html, name
        assert "<script>alert(1)" not in html, name
        assert ESCAPED in html, name


def test_a_swapped_organizer_row_escapes_the_name_and_the_message(
    client_for, admin_user, evil, with_sandbox_token, sandbox_settings
):
    # GoTo (the sandbox) does not know this organizer: the row comes back with a message.
    with_sandbox_token(admin_user, "admin@acme.example")
    organizer = evil["organizer"]
    response = client_for(admin_user).post(
        reverse("organizers:recheck", args=[organizer.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith(f'<tr id="organizer-{organizer.pk}"')
    assert "GoTo does not know it" in html
    assert EVIL not in html and ESCAPED in html


def _headings(html: str, testid: str) -> list[str]:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</thead>", 1)[0]
    cells = re.findall(r"<th>(.*?)</th>", table, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def _csv_header(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return next(csv.reader(io.StringIO(text)))


LISTS = [
    # (page, table's data-testid, declaration, CSV query)
    ("organizers", "organizers-table", OrganizerTable, {"export": "csv"}),
    ("dashboard", "meetings-table", DashboardMeetingsTable, {"export": "csv"}),
    ("attendee report", "attendee-report", AttendeeReportTable, {"export": "csv"}),
    ("attendees of a meeting", "attendees-table", InstanceAttendeesTable, {"export": "csv"}),
    ("audit log", "audit-table", AuditLogTable, {"export": "csv"}),
]


@pytest.mark.parametrize(("page", "testid", "table", "query"), LISTS)
def test_page_and_csv_show_the_same_columns_in_the_same_order(
    client_for, admin_user, evil, page, testid, table, query
):
    client = client_for(admin_user)
    url = _pages(evil)[page]
    shown = _headings(client.get(url).content.decode(), testid)
    exported = _csv_header(client.get(url, query))

    assert shown == table.page_headers()
    assert exported == table.export_headers()
    # Each column on both: its place on the page and its place in the CSV go the same way.
    both = [c for c in table.columns if c.on_page and c.exports]
    assert len(both) >= 4
    on_page = [shown.index(c.header) for c in both]
    in_csv = [exported.index(c.exports[0].header) for c in both]
    assert on_page == sorted(on_page) and in_csv == sorted(in_csv)


def test_organizers_csv_keeps_its_columns():
    assert OrganizerTable.export_headers() == [
        "organizer key",
        "email",
        "first name",
        "last name",
        "group",
        "status",
        "products",
        "last meeting",
        "synced at",
        "deleted at",
    ]


def test_export_values_are_typed(admin_user, evil):
    from organizers.selectors import organizers_with_last_meeting

    organizer = evil["organizer"]
    row = OrganizerTable().export_row(organizers_with_last_meeting(admin_user).get(pk=organizer.pk))
    key, email, *_rest, last_meeting, synced_at, deleted_at = row
    assert isinstance(key, int) and email == organizer.email
    assert isinstance(last_meeting, datetime) and isinstance(synced_at, datetime)
    assert deleted_at is None
    instance = evil["instance"]
    values = DashboardMeetingsTable().export_row(instance)
    assert values[DashboardMeetingsTable.export_headers().index("attendees")] == 1
    assert isinstance(values[DashboardMeetingsTable.export_headers().index("start")], datetime)


def test_sync_runs_and_import_results_are_declared_tables(client_for, admin_user, evil):
    client = client_for(admin_user)
    html = client.get(_pages(evil)["import result"]).content.decode()
    assert _headings(html, "result-table") == ImportResultTable.page_headers()
    html = client.get(_pages(evil)["sync runs"]).content.decode()
    runs = html.split('class="sync-runs"', 1)[1].split("</thead>", 1)[0]
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", runs)]
    assert headings == SyncRunTable.page_headers()


def test_sortable_headings_keep_the_filters_and_go_back_to_the_first_page(
    client_for, admin_user, evil
):
    client = client_for(admin_user)
    html = client.get(reverse("organizers:list"), {"q": "a", "page": "1"}).content.decode()
    head = unescape(html.split('data-testid="organizers-table"', 1)[1].split("</thead>", 1)[0])
    assert '<a href="?q=a&sort=-last_meeting">Last meeting</a>' in head  # newest first
    assert '<a href="?q=a&sort=name">Name</a>' in head
    html = client.get(reverse("organizers:list"), {"sort": "name"}).content.decode()
    assert '<a href="?sort=-name">Name</a>' in unescape(html)  # again: the other way


class _Pairs(Table):
    """A field named twice in its pattern, and one field only: what the rows' numbering of
    fields and their escaping ten rows at a time must keep right."""

    columns = (
        Column("Name", html='<a title="{name}">{name}</a> {n}'),
        Column("Note", html="{note}"),
    )

    def fields(self, row) -> dict:
        return {"name": row[0], "n": row[1], "note": row[2]}


def test_rows_fill_every_field_escaped_however_often_named_and_however_many_rows():
    # Rows 0-9 hold text only (escaped together), 10-19 a NUL in row 12 (escaped one by
    # one), 20-22 numbers.
    nul = "a\x00b"
    rows = [
        (f"{EVIL}{i}", i if i >= 20 else str(i), f"{nul}{i}" if i == 12 else EVIL)
        for i in range(23)
    ]
    html = str(_Pairs().rows_html(rows))
    expected = "".join(
        f'<tr><td><a title="{ESCAPED}{i}">{ESCAPED}{i}</a> {i}</td>'
        f"<td>{f'{nul}{i}' if i == 12 else ESCAPED}</td></tr>\n"
        for i in range(23)
    )
    assert html == expected


def test_escaped_all_is_escaped_value_by_value():
    values = [EVIL, "", "plain", "a\x00b", 7, None, mark_safe("<b>kept</b>"), "&"]
    assert escaped_all(values) == [escaped(v) for v in values]
    texts = [EVIL, "", "x\x00", "<", "&amp;"]
    assert escaped_all(texts) == [escaped(v) for v in texts]
    assert escaped_all(["<", ">"]) == ["&lt;", "&gt;"]
    assert escaped_all([]) == []
