"""Reads of the accounts area: the users the Roles page lists, and the audit log's entries."""

from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, QuerySet, Value, When

from .models import SERVICE_ACCOUNT_USERNAME, AuditEntry, Role, User


def user_list_for_roles() -> QuerySet[User]:
    """Every person who can sign in: Admins first, then Managers, then Organizers, by email."""
    role_order = Case(
        When(role=Role.ADMIN, then=Value(0)),
        When(role=Role.MANAGER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        User.objects.exclude(username=SERVICE_ACCOUNT_USERNAME)
        .prefetch_related("managed_groups")
        .annotate(role_order=role_order)
        .order_by("role_order", "email", "pk")
    )


def user_get_for_roles(*, pk: int) -> User | None:
    return user_list_for_roles().filter(pk=pk).first()


def audit_entries(filterset: django_filters.FilterSet) -> QuerySet[AuditEntry]:
    """The entries the filters select (``accounts.forms.audit_log_filter``), newest first; none
    while the filters are invalid."""
    if filterset.is_bound and not filterset.is_valid():
        return AuditEntry.objects.none()
    return filterset.qs.order_by("-created_at", "-id")


def audit_export_rows(entries: QuerySet[AuditEntry]):
    """``entries`` for the export, streamed from the database."""
    return entries.iterator(chunk_size=2000)


def admins_with_token() -> QuerySet[User]:
    """Admins with portal access whose GoTo token the portal holds (service candidates)."""
    return User.objects.filter(
        role=Role.ADMIN, portal_access=True, goto_token__isnull=False
    ).order_by("email")
