"""The audit log's table, declared once (:mod:`portal.tables`): the page and its CSV.

The page's "Target" column is the CSV's target type, id and label; the request id is in the
CSV only (it ties an entry to the server's logs).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html

from portal.tables import Column, Export, Table

from .models import AuditEntry


def _when(table: AuditLogTable, entry: AuditEntry) -> tuple:
    local = timezone.localtime(entry.created_at)
    return local.isoformat(), f"{local:%Y-%m-%d %H:%M:%S}"


def _target(table: AuditLogTable, entry: AuditEntry):
    label = entry.target_label or entry.target_id
    if entry.target_type:
        return format_html('<span class="muted">{}</span> {}', entry.target_type, label)
    return label


class AuditLogTable(Table):
    """Newest first: when, who, what, on what, how it went, the detail and the changes
    (before → after)."""

    columns = (
        Column(
            "When",
            cell=_when,
            html='<span title="{}">{}</span>',
            td="nowrap",
            exports=(Export("When", lambda e: e.created_at),),
        ),
        Column(
            "Who",
            cell=lambda t, e: e.actor_label or "system",
            exports=(Export("Who", lambda e: e.actor_label),),
        ),
        Column(
            "Action",
            cell=lambda t, e: e.action,
            html="<code>{}</code>",
            exports=(Export("Action", lambda e: e.action),),
        ),
        Column(
            "Target",
            cell=_target,
            exports=(
                Export("Target type", lambda e: e.target_type),
                Export("Target id", lambda e: e.target_id),
                Export("Target", lambda e: e.target_label),
            ),
        ),
        Column(
            "Outcome",
            cell=lambda t, e: (e.outcome, e.get_outcome_display()),
            html='<span class="badge badge-{}">{}</span>',
            exports=(Export("Outcome", lambda e: e.outcome),),
        ),
        Column(
            "Detail",
            cell=lambda t, e: e.detail,
            td="detail",
            exports=(Export("Detail", lambda e: e.detail),),
        ),
        Column(
            "Changes",
            cell=lambda t, e: e.changes_html(),
            td="changes",
            exports=(Export("Changes", lambda e: e.changes_text()),),
        ),
        Column(exports=(Export("Request id", lambda e: e.request_id),)),
    )
