"""The organizers area's tables, declared once (:mod:`portal.tables`): the organizers list (its
page, its CSV and the htmx answer to a row action, so a swapped row and a listed row cannot
differ) and the result of a CSV import.

The organizers list shows 50 rows; its links are reversed once per page and each distinct date
is formatted once per page (a sync stamps most rows with the same time). Every cell goes through
``format_html``, which escapes what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from portal.tables import Column, Export, Table, sortable

from .models import ImportRow, Organizer, OrganizerStatus

_ANY_PK = 2_147_483_647  # reversed once per page, then replaced by each row's key
_ACTIONS = ("detail", "recheck", "reactivate", "suspend", "delete")
NEVER = SafeString('<span class="muted">never</span>')  # constants: nothing in them to escape
NONE = "—"
_STATUS_LABELS = {value: str(label) for value, label in OrganizerStatus.choices}


def status_label(o: Organizer) -> str:
    """The status a person reads: on the badge, in the CSV."""
    if o.deleted_at:
        return "Deleted"
    if o.is_pending:
        return "Pending confirmation"
    return _STATUS_LABELS.get(o.status, o.status or "")


def status_badge(o: Organizer) -> SafeString:
    """``<span class="badge badge-…">`` with :func:`status_label` (the detail page uses it too)."""
    if o.deleted_at:
        kind = "deleted"
    elif o.is_pending:
        kind = "pending"
    else:
        kind = o.status
    return format_html('<span class="badge badge-{}">{}</span>', kind, status_label(o))


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _select(table: OrganizerTable, o: Organizer):
    if o.deleted_at:
        return ""
    return format_html(
        '<input type="checkbox" name="organizers" value="{}" form="bulk-form" '
        'aria-label="Select {}">',
        o.pk,
        table.safe(o.email),
    )


def _name(table: OrganizerTable, o: Organizer) -> tuple:
    notes = ""
    if table.error:
        notes = format_html('<div class="row-msg msg-error" role="alert">{}</div>', table.error)
    if table.message:
        notes += format_html(
            '<div class="row-msg msg-success" role="status">{}</div>', table.message
        )
    return table.link("detail", o.pk), o.full_name or "(no name)", table.safe(o.email), notes


def _group(table: OrganizerTable, o: Organizer) -> str:
    return o.group.name if o.group_id and o.group.name else NONE


def _status(table: OrganizerTable, o: Organizer) -> SafeString:
    key = (o.status, o.is_pending, bool(o.deleted_at))
    badge = table.badges.get(key)
    if badge is None:
        badge = table.badges[key] = status_badge(o)
    return badge


def _products(table: OrganizerTable, o: Organizer) -> str:
    return ", ".join(o.product_list) or NONE


def _last_meeting(table: OrganizerTable, o: Organizer):
    return table.last_meeting(getattr(o, "last_meeting", None))


def _synced(table: OrganizerTable, o: Organizer):
    return table.synced(o.synced_at)


def _actions(table: OrganizerTable, o: Organizer):
    if o.deleted_at:
        return ""
    url, delete = table.link("recheck", o.pk), table.link("delete", o.pk)
    if o.is_pending:
        return format_html(
            '<a href="{}?next={}" hx-post="{}" hx-target="closest tr" hx-swap="outerHTML">'
            'Re-check</a> · <a href="{}?next={}">Delete</a>',
            url, table.back, url, delete, table.back,
        )  # fmt: skip
    if o.status == OrganizerStatus.SUSPENDED:
        name, label = "reactivate", "Reactivate"
    else:
        name, label = "suspend", "Suspend"
    url = table.link(name, o.pk)
    return format_html(
        '<a href="{}?next={}" hx-post="{}" hx-confirm="{} {}?" hx-target="closest tr" '
        'hx-swap="outerHTML">{}</a> · <a href="{}?next={}">Delete</a>',
        url, table.back, url, label, table.safe(o.email), label, delete, table.back,
    )  # fmt: skip


@dataclass
class OrganizerTable(Table):
    """The organizers list. ``next_url``: where a row action comes back to; ``error`` and
    ``message``: the outcome of an action, shown under the name (the htmx row swap)."""

    next_url: str = ""
    error: str = ""
    message: str = ""
    _patterns: dict = field(init=False, repr=False)
    _dates: dict = field(init=False, repr=False)
    badges: dict = field(init=False, repr=False)

    columns = (
        Column(
            "",
            cell=_select,
            head=SafeString(
                '<input type="checkbox" data-select-all="organizers" '
                'aria-label="Select all on this page">'
            ),
        ),
        Column(exports=(Export("organizer key", lambda o: o.organizer_key),)),
        Column(
            "Name / email",
            cell=_name,
            html='<a href="{}">{}</a><br><span class="muted">{}</span>{}',
            sort=(("Name", "name"), ("email", "email")),
            exports=(
                Export("email", lambda o: o.email),
                Export("first name", lambda o: o.first_name),
                Export("last name", lambda o: o.last_name),
            ),
        ),
        Column(
            "Group",
            cell=_group,
            sort=sortable("Group", "group"),
            exports=(Export("group", lambda o: o.group.name if o.group else ""),),
        ),
        Column(
            "Status",
            cell=_status,
            sort=sortable("Status", "status"),
            exports=(Export("status", status_label),),
        ),
        Column(
            "Products",
            cell=_products,
            exports=(Export("products", lambda o: " ".join(o.product_list)),),
        ),
        Column(
            "Last meeting",
            cell=_last_meeting,
            sort=sortable("Last meeting", "last_meeting"),
            exports=(Export("last meeting", lambda o: getattr(o, "last_meeting", None)),),
        ),
        Column(
            "Refreshed from GoTo",
            cell=_synced,
            sort=sortable("Refreshed from GoTo", "synced"),
            exports=(Export("synced at", lambda o: o.synced_at),),
        ),
        Column(exports=(Export("deleted at", lambda o: o.deleted_at),)),
        Column("Actions", cell=_actions, td="actions"),
    )
    descending_first = frozenset({"last_meeting", "synced"})

    def __post_init__(self) -> None:
        super().__post_init__()
        self._patterns = {}
        self._dates = {}
        self.badges = {}
        self.back = conditional_escape(quote(self.next_url, safe="/"))

    tr = ' id="organizer-{}" data-testid="organizer-row" data-email="{}"'

    def row_values(self, o: Organizer) -> tuple:
        return o.pk, o.email

    def link(self, name: str, pk: int) -> SafeString:
        """The URL of ``name`` for the organizer ``pk``, HTML-escaped: the pattern is reversed
        and escaped (``conditional_escape``) once per table, then the row's key, an int,
        takes the place of the placeholder key, so the result stays escaped."""
        pattern = self._patterns.get(name)
        if pattern is None:
            url = reverse(f"organizers:{name}", args=[_ANY_PK])
            pattern = self._patterns[name] = str(conditional_escape(url))
        return SafeString(pattern.replace(str(_ANY_PK), str(int(pk))))

    def last_meeting(self, value: datetime | None) -> SafeString:
        if not value:
            return NEVER
        key = ("last", value)
        if key not in self._dates:
            local = _local(value)  # "c" and "Y-m-d" of the date filter
            self._dates[key] = format_html(
                '<time datetime="{}">{}</time>', local.isoformat(), local.date().isoformat()
            )
        return self._dates[key]

    def synced(self, value: datetime | None) -> SafeString:
        if not value:
            return NEVER
        key = ("synced", value)
        if key not in self._dates:
            local = _local(value)
            self._dates[key] = format_html(
                '<time datetime="{}" title="{}">{}</time>',
                local.isoformat(),
                formats.date_format(local, "DATETIME_FORMAT"),
                naturaltime(value),
            )
        return self._dates[key]


# --- The result of a CSV import ---------------------------------------------------------------


def _import_email(table: ImportResultTable, row: ImportRow):
    if row.organizer_id:
        return format_html(
            '<a href="{}">{}</a>', reverse("organizers:detail", args=[row.organizer_id]), row.email
        )
    return row.email


def _import_group(row: ImportRow) -> str:
    return row.group.name if row.group_id and row.group.name else row.group_name


def _import_outcome(table: ImportResultTable, row: ImportRow):
    return format_html(
        '<span class="badge outcome-{}">{}</span>', row.outcome, row.get_outcome_display()
    )


class ImportResultTable(Table):
    """Each line of an import: what was asked and what came of it."""

    columns = (
        Column(
            "Line",
            cell=lambda t, r: r.line_number,
            exports=(Export("line", lambda r: r.line_number),),
        ),
        Column("Email", cell=_import_email, exports=(Export("email", lambda r: r.email),)),
        Column(
            "Group",
            cell=lambda t, r: _import_group(r),
            exports=(Export("group", _import_group),),
        ),
        Column(
            "Product",
            cell=lambda t, r: r.product_type,
            exports=(Export("product", lambda r: r.product_type),),
        ),
        Column(
            "Outcome",
            cell=_import_outcome,
            exports=(Export("outcome", lambda r: r.get_outcome_display()),),
        ),
        Column(
            "Detail",
            cell=lambda t, r: r.error or r.detail,
            exports=(Export("detail", lambda r: r.error or r.detail),),
        ),
    )

    tr = ' data-testid="result-row" data-line="{}" data-outcome="{}"'

    def row_values(self, row: ImportRow) -> tuple:
        return row.line_number, row.outcome
