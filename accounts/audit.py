"""Recording audit entries. Services call :func:`audit_record` in the same transaction as the
change they make, so the entry and the change succeed or fail together.

``action`` is an :class:`accounts.models.AuditAction` member, never a free string (a typo
would make an entry no filter finds); ``changes`` is what changed, built with
:func:`audit_changes`, shown on the audit page and in its CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from .models import AuditAction, AuditEntry, AuditOutcome


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict]:
    """``{"field": {"before": x, "after": y}}`` for each field of ``after`` whose value differs
    from ``before`` (values as JSON: dates and times as ISO text)."""
    return {
        name: {"before": _json_value(before.get(name)), "after": _json_value(value)}
        for name, value in after.items()
        if before.get(name) != value
    }


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return value


def audit_record(
    *,
    actor,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    outcome: str = AuditOutcome.SUCCESS,
    detail: str = "",
    changes: Mapping[str, Mapping[str, Any]] | None = None,
) -> AuditEntry:
    """Write one audit entry: who (``actor``), what (``action``), on what, how it ended, and
    (``changes``) each field's value before and after. ValueError for an ``action`` that is
    not an :class:`AuditAction` member."""
    from portal.request_context import current_request_id

    if not isinstance(action, AuditAction):
        raise ValueError(f"Unknown audit action {action!r}: add it to accounts.models.AuditAction.")

    if target is not None:
        target_type = target_type or target._meta.model_name
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    actor_user = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor_user,
        actor_label=getattr(actor, "email", "") or str(actor or "system"),
        action=action.value,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:254],
        outcome=outcome,
        detail=detail,
        request_id=current_request_id() or "",
        changes=dict(changes or {}),
    )
