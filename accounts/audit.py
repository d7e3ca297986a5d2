"""Recording audit entries. Services call :func:`audit_record` in the same transaction as the
change they make, so the entry and the change succeed or fail together."""

from __future__ import annotations

from django.db import models

from .models import AuditEntry, AuditOutcome


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    outcome: str = AuditOutcome.SUCCESS,
    detail: str = "",
) -> AuditEntry:
    """Write one audit entry: who (``actor``), what (``action``), on what, and how it ended."""
    from portal.request_context import current_request_id

    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    actor_user = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor_user,
        actor_label=getattr(actor, "email", "") or str(actor or "system"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:254],
        outcome=outcome,
        detail=detail,
        request_id=current_request_id() or "",
    )
