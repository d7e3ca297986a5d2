"""The organizers area's tables, declared once (:mod:`portal.tables`): the organizers list (its
page, its CSV and the htmx answer to a row action, so a swapped row and a listed row cannot
differ) and the result of a CSV import.

The organizers list shows 50 rows; its links are reversed once (``links``), the "synced" date
and the status badge are made once per distinct value on a page (a sync stamps most rows with
the same time), and what a row offers (check box, actions) is a variant of its pattern chosen
by :func:`row_state`. Every field goes through ``format_html``, which escapes what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal.tables import Column, Export, Table, cell_html, sortable

from .models import ImportRow, Organizer, OrganizerStatus

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


def row_state(o: Organizer) -> str:
    """What a row offers: a deleted organizer no check box and no actions, a pending one a
    re-check, a suspended one a reactivation, an active one a suspension."""
    if o.deleted_at:
        return "deleted"
    if o.is_pending:
        return "pending"
    return "suspended" if o.status == OrganizerStatus.SUSPENDED else "active"


_SELECT = (
    '<input type="checkbox" name="organizers" value="{pk}" form="bulk-form" '
    'aria-label="Select {email}">'
)
_ROW_ACTION = (
    '<a href="{%s}?next={back}" hx-post="{%s}" hx-confirm="%s {email}?" hx-target="closest tr" '
    'hx-swap="outerHTML">%s</a> · <a href="{delete}?next={back}">Delete</a>'
)


@dataclass
class OrganizerTable(Table):
    """The organizers list. ``next_url``: where a row action comes back to; ``error`` and
    ``message``: the outcome of an action, shown under the name (the htmx row swap)."""

    next_url: str = ""
    error: str = ""
    message: str = ""
    _dates: dict = field(init=False, repr=False)
    _badges: dict = field(init=False, repr=False)

    links = {
        "detail": ("organizers:detail", "pk"),
        "recheck": ("organizers:recheck", "pk"),
        "suspend": ("organizers:suspend", "pk"),
        "reactivate": ("organizers:reactivate", "pk"),
        "delete": ("organizers:delete", "pk"),
    }
    tr = ' id="organizer-{pk}" data-testid="organizer-row" data-email="{email}"'
    columns = (
        Column(
            "",
            html={"active": _SELECT, "suspended": _SELECT, "pending": _SELECT, "deleted": ""},
            variant=row_state,
            head=SafeString(
                '<input type="checkbox" data-select-all="organizers" '
                'aria-label="Select all on this page">'
            ),
        ),
        Column(exports=(Export("organizer key", lambda o: o.organizer_key),)),
        Column(
            "Name / email",
            html='<a href="{detail}">{name}</a><br><span class="muted">{email}</span>{notes}',
            sort=(("Name", "name"), ("email", "email")),
            exports=(
                Export("email", lambda o: o.email),
                Export("first name", lambda o: o.first_name),
                Export("last name", lambda o: o.last_name),
            ),
        ),
        Column(
            "Group",
            html="{group}",
            sort=sortable("Group", "group"),
            exports=(Export("group", lambda o: o.group.name if o.group else ""),),
        ),
        Column(
            "Status",
            html="{status}",
            sort=sortable("Status", "status"),
            exports=(Export("status", status_label),),
        ),
        Column(
            "Products",
            html="{products}",
            exports=(Export("products", lambda o: " ".join(o.product_list)),),
        ),
        Column(
            "Last meeting",
            html={
                True: '<time datetime="{last_iso}">{last_day}</time>',
                False: '<span class="muted">never</span>',
            },
            variant=lambda o: bool(getattr(o, "last_meeting", None)),
            sort=sortable("Last meeting", "last_meeting"),
            exports=(Export("last meeting", lambda o: getattr(o, "last_meeting", None)),),
        ),
        Column(
            "Refreshed from GoTo",
            html="{synced}",
            sort=sortable("Refreshed from GoTo", "synced"),
            exports=(Export("synced at", lambda o: o.synced_at),),
        ),
        Column(exports=(Export("deleted at", lambda o: o.deleted_at),)),
        Column(
            "Actions",
            html={
                "active": _ROW_ACTION % ("suspend", "suspend", "Suspend", "Suspend"),
                "suspended": _ROW_ACTION % ("reactivate", "reactivate", "Reactivate", "Reactivate"),
                "pending": (
                    '<a href="{recheck}?next={back}" hx-post="{recheck}" hx-target="closest tr" '
                    'hx-swap="outerHTML">Re-check</a> · <a href="{delete}?next={back}">Delete</a>'
                ),
                "deleted": "",
            },
            variant=row_state,
            td="actions",
        ),
    )
    descending_first = frozenset({"last_meeting", "synced"})

    def __post_init__(self) -> None:
        self._dates = {}
        self._badges = {}
        super().__post_init__()

    def constants(self) -> dict:
        notes = SafeString("")
        if self.error:
            notes = format_html('<div class="row-msg msg-error" role="alert">{}</div>', self.error)
        if self.message:
            notes += format_html(
                '<div class="row-msg msg-success" role="status">{}</div>', self.message
            )
        return {"back": quote(self.next_url, safe="/"), "notes": notes}

    def fields(self, o: Organizer) -> dict:
        return {
            "pk": o.pk,
            "email": o.email,
            "name": o.full_name or "(no name)",
            "group": o.group.name if o.group_id and o.group.name else NONE,
            "status": self.status(o),
            "products": ", ".join(o.product_list) or NONE,
            **self.last_meeting(getattr(o, "last_meeting", None)),
            "synced": self.synced(o.synced_at),
        }

    def status(self, o: Organizer) -> SafeString:
        """The status badge, built once per table for each status."""
        key = (o.status, o.is_pending, bool(o.deleted_at))
        badge = self._badges.get(key)
        if badge is None:
            badge = self._badges[key] = status_badge(o)
        return badge

    def last_meeting(self, value: datetime | None) -> dict:
        if not value:
            return {}
        local = self.local(value)  # "c" and "Y-m-d" of the date filter
        return {"last_iso": local.isoformat(), "last_day": local.date().isoformat()}

    def synced(self, value: datetime | None) -> SafeString:
        if not value:
            return NEVER
        key = ("synced", value)
        if key not in self._dates:
            local = self.local(value)
            self._dates[key] = cell_html(
                '<time datetime="{}" title="{}">{}</time>',
                local.isoformat(),
                formats.date_format(local, "DATETIME_FORMAT"),
                naturaltime(value),
            )
        return self._dates[key]


# --- The result of a CSV import ---------------------------------------------------------------


def _import_group(row: ImportRow) -> str:
    return row.group.name if row.group_id and row.group.name else row.group_name


class ImportResultTable(Table):
    """Each line of an import: what was asked and what came of it; the email links to the
    organizer the line made or found."""

    links = {"detail": ("organizers:detail", "organizer")}
    tr = ' data-testid="result-row" data-line="{line}" data-outcome="{outcome}"'
    columns = (
        Column("Line", html="{line}", exports=(Export("line", lambda r: r.line_number),)),
        Column(
            "Email",
            html={True: '<a href="{detail}">{email}</a>', False: "{email}"},
            variant=lambda r: bool(r.organizer_id),
            exports=(Export("email", lambda r: r.email),),
        ),
        Column("Group", html="{group}", exports=(Export("group", _import_group),)),
        Column("Product", html="{product}", exports=(Export("product", lambda r: r.product_type),)),
        Column(
            "Outcome",
            html='<span class="badge outcome-{outcome}">{outcome_label}</span>',
            exports=(Export("outcome", lambda r: r.get_outcome_display()),),
        ),
        Column(
            "Detail",
            html="{detail_text}",
            exports=(Export("detail", lambda r: r.error or r.detail),),
        ),
    )

    def fields(self, row: ImportRow) -> dict:
        return {
            "line": row.line_number,
            "organizer": row.organizer_id,
            "email": row.email,
            "group": _import_group(row),
            "product": row.product_type,
            "outcome": row.outcome,
            "outcome_label": row.get_outcome_display(),
            "detail_text": row.error or row.detail,
        }
