"""The organizers list's table rows, written in Python.

The list shows 50 rows, and Django's template engine spent about 0.7 ms on each (five links,
three dates, a badge, an include), more than the rest of the page together (bench/: a cold
organizers list ran at 6% of a trivial view). Here a row is one f-string: the links are
reversed once per page, and each distinct date is formatted once per page (a sync stamps most
rows with the same time). The HTML is what the row template wrote; the htmx answer to a row
action (suspend, reactivate, re-check) uses the same function, so a swapped row and a listed
row cannot differ. Every value from the database goes through :func:`html.escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from urllib.parse import quote

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe

from .models import Organizer, OrganizerStatus

_ANY_PK = 2_147_483_647  # reversed once per page, then replaced by each row's key
_ACTIONS = ("detail", "recheck", "reactivate", "suspend", "delete")
NEVER = '<span class="muted">never</span>'
_STATUS_LABELS = {value: escape(str(label)) for value, label in OrganizerStatus.choices}


class _Page:
    """What the rows of one page share: the link patterns, the way back, formatted dates."""

    def __init__(self, next_url: str) -> None:
        self.patterns = {name: reverse(f"organizers:{name}", args=[_ANY_PK]) for name in _ACTIONS}
        self.back = escape(quote(next_url, safe="/"))
        self._dates: dict[tuple[str, datetime], str] = {}

    def link(self, name: str, pk: int) -> str:
        return self.patterns[name].replace(str(_ANY_PK), str(pk))

    def last_meeting(self, value: datetime | None) -> str:
        if not value:
            return NEVER
        key = ("last", value)
        if key not in self._dates:
            local = _local(value)  # "c" and "Y-m-d" of the date filter
            iso, day = local.isoformat(), local.date().isoformat()
            self._dates[key] = f'<time datetime="{iso}">{day}</time>'
        return self._dates[key]

    def synced(self, value: datetime | None) -> str:
        if not value:
            return NEVER
        key = ("synced", value)
        if key not in self._dates:
            local = _local(value)
            title = formats.date_format(local, "DATETIME_FORMAT")
            self._dates[key] = (
                f'<time datetime="{local.isoformat()}" title="{escape(title)}">'
                f"{escape(naturaltime(value))}</time>"
            )
        return self._dates[key]


def organizer_rows(organizers: Iterable[Organizer], *, next_url: str) -> SafeString:
    """The ``<tr>`` of each organizer, for the list's table."""
    page = _Page(next_url)
    return mark_safe("".join(_row(o, page) for o in organizers))  # noqa: S308 (escaped)


def organizer_row(
    organizer: Organizer, *, next_url: str, error: str = "", message: str = ""
) -> SafeString:
    """One organizer's ``<tr>``, with the outcome of an action on it (the htmx row swap)."""
    return mark_safe(_row(organizer, _Page(next_url), error=error, message=message))  # noqa: S308


def status_badge(o: Organizer) -> SafeString:
    if o.deleted_at:
        return mark_safe('<span class="badge badge-deleted">Deleted</span>')
    if o.is_pending:
        return mark_safe('<span class="badge badge-pending">Pending confirmation</span>')
    status = escape(o.status)
    label = _STATUS_LABELS.get(o.status, status)
    return mark_safe(f'<span class="badge badge-{status}">{label}</span>')  # noqa: S308


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _row(o: Organizer, page: _Page, *, error: str = "", message: str = "") -> str:
    email = escape(o.email)
    notes = ""
    if error:
        notes += f'<div class="row-msg msg-error" role="alert">{escape(error)}</div>'
    if message:
        notes += f'<div class="row-msg msg-success" role="status">{escape(message)}</div>'
    checkbox = "" if o.deleted_at else (
        f'<input type="checkbox" name="organizers" value="{o.pk}" form="bulk-form" '
        f'aria-label="Select {email}">'
    )  # fmt: skip
    group = escape(o.group.name) if o.group_id and o.group.name else "—"
    products = escape(", ".join(o.product_list)) or "—"
    return (
        f'<tr id="organizer-{o.pk}" data-testid="organizer-row" data-email="{email}">\n'
        f"  <td>{checkbox}</td>\n"
        f'  <td>\n    <a href="{page.link("detail", o.pk)}">{escape(o.full_name or "(no name)")}'
        f'</a><br>\n    <span class="muted">{email}</span>\n    {notes}\n  </td>\n'
        f"  <td>{group}</td>\n  <td>{status_badge(o)}</td>\n  <td>{products}</td>\n"
        f"  <td>{page.last_meeting(getattr(o, 'last_meeting', None))}</td>\n"
        f"  <td>{page.synced(o.synced_at)}</td>\n"
        f'  <td class="actions">{_actions(o, page, email)}</td>\n</tr>\n'
    )


def _actions(o: Organizer, page: _Page, email: str) -> str:
    if o.deleted_at:
        return ""
    if o.is_pending:
        name, label, confirm = "recheck", "Re-check", ""
    elif o.status == OrganizerStatus.SUSPENDED:
        name, label, confirm = "reactivate", "Reactivate", f' hx-confirm="Reactivate {email}?"'
    else:
        name, label, confirm = "suspend", "Suspend", f' hx-confirm="Suspend {email}?"'
    url, delete = page.link(name, o.pk), page.link("delete", o.pk)
    return (
        f'<a href="{url}?next={page.back}" hx-post="{url}"{confirm} hx-target="closest tr" '
        f'hx-swap="outerHTML">{label}</a> · <a href="{delete}?next={page.back}">Delete</a>'
    )
