"""The audit log's table, declared once (:mod:`portal.tables`): the page and its CSV.

The page's "Target" column is the CSV's target type, id and label; the request id is in the
CSV only (it ties an entry to the server's logs).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html

from portal.tables import Column, Export, Table

from .models import AuditEntry


def _target(entry: AuditEntry):
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
            html='<span title="{iso}">{when}</span>',
            td="nowrap",
            exports=(Export("When", lambda e: e.created_at),),
        ),
        Column("Who", html="{who}", exports=(Export("Who", lambda e: e.actor_label),)),
        Column(
            "Action", html="<code>{action}</code>", exports=(Export("Action", lambda e: e.action),)
        ),
        Column(
            "Target",
            html="{target}",
            exports=(
                Export("Target type", lambda e: e.target_type),
                Export("Target id", lambda e: e.target_id),
                Export("Target", lambda e: e.target_label),
            ),
        ),
        Column(
            "Outcome",
            html='<span class="badge badge-{outcome}">{outcome_label}</span>',
            exports=(Export("Outcome", lambda e: e.outcome),),
        ),
        Column(
            "Detail", html="{detail}", td="detail", exports=(Export("Detail", lambda e: e.detail),)
        ),
        Column(
            "Changes",
            html="{changes}",
            td="changes",
            exports=(Export("Changes", lambda e: e.changes_text()),),
        ),
        Column(exports=(Export("Request id", lambda e: e.request_id),)),
    )

    def fields(self, entry: AuditEntry) -> dict:
        local = timezone.localtime(entry.created_at)
        return {
            "iso": local.isoformat(),
            "when": f"{local:%Y-%m-%d %H:%M:%S}",
            "who": entry.actor_label or "system",
            "action": entry.action,
            "target": _target(entry),
            "outcome": entry.outcome,
            "outcome_label": entry.get_outcome_display(),
            "detail": entry.detail,
            "changes": entry.changes_html(),
        }
