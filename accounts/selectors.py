"""Reads of the accounts area: the users the Roles page lists, and the audit log's entries."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from portal.dates import SupportedDateFilter

from .connections import SERVICE_ACCOUNT_USERNAME
from .forms import AuditLogFilterForm
from .models import AuditEntry, AuditOutcome, Role, User

AUDIT_CSV_HEADER = (
    "When",
    "Who",
    "Action",
    "Target type",
    "Target id",
    "Target",
    "Outcome",
    "Detail",
    "Request id",
)


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


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _action_choices() -> list[tuple[str, str]]:
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    return [(action, action) for action in actions]


class AuditLogFilter(django_filters.FilterSet):
    """Filters of the audit log: who, what, target, outcome, and a date range (inclusive)."""

    user = django_filters.CharFilter(method="filter_user", label="User")
    action = django_filters.ChoiceFilter(choices=_action_choices, label="Action")
    target = django_filters.CharFilter(method="filter_target", label="Target")
    outcome = django_filters.ChoiceFilter(choices=AuditOutcome.choices, label="Outcome")
    date_from = SupportedDateFilter(method="filter_date_from", label="From")
    date_to = SupportedDateFilter(method="filter_date_to", label="To")

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditLogFilterForm

    def filter_user(self, queryset, name, value):
        return queryset.filter(Q(actor_label__icontains=value) | Q(actor__email__iexact=value))

    def filter_target(self, queryset, name, value):
        return queryset.filter(
            Q(target_label__icontains=value) | Q(target_id=value) | Q(target_type=value)
        )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))


def audit_log_filter(data) -> AuditLogFilter:
    """The audit log's filterset bound to ``data`` (the query string)."""
    return AuditLogFilter(data or None, queryset=AuditEntry.objects.select_related("actor"))


def audit_entries(filterset: AuditLogFilter) -> QuerySet[AuditEntry]:
    """The entries the filters select, newest first; none while the filters are invalid."""
    if filterset.is_bound and not filterset.is_valid():
        return AuditEntry.objects.none()
    return filterset.qs.order_by("-created_at", "-id")


def audit_csv_rows(entries: QuerySet[AuditEntry]):
    """The CSV rows of ``entries``, streamed from the database."""
    for entry in entries.iterator(chunk_size=2000):
        yield (
            entry.created_at,
            entry.actor_label,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.target_label,
            entry.outcome,
            entry.detail,
            entry.request_id,
        )


def admins_with_token() -> QuerySet[User]:
    """Admins with portal access whose GoTo token the portal holds (service candidates)."""
    return User.objects.filter(
        role=Role.ADMIN, portal_access=True, goto_token__isnull=False
    ).order_by("email")
