"""Input of the accounts pages: a user's role and access, and the audit log's filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from organizers.models import Group
from portal.dates import SupportedDateFilter
from portal.ids import IdModelChoiceField, IdModelMultipleChoiceField

from .models import AuditAction, AuditEntry, AuditOutcome, Role


class UserAccessForm(forms.Form):
    """Role, portal access and (Managers only) the groups a Manager is scoped to."""

    role = forms.ChoiceField(choices=Role.choices)
    portal_access = forms.BooleanField(required=False, label="Portal access")
    # Managers only (services.user_access_update clears it for other roles); none = every group.
    managed_groups = IdModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"), required=False, label="Scoped to groups"
    )

    @classmethod
    def for_user(cls, user, data=None) -> UserAccessForm:
        """The form of ``user``'s row; its fields are prefixed so many fit on one page."""
        initial = {
            "role": user.role,
            "portal_access": user.portal_access,
            "managed_groups": list(user.managed_groups.all()),
        }
        return cls(data=data, initial=initial, prefix=f"user-{user.pk}")


class AuditLogFilterForm(forms.Form):
    """The base form of the audit log's filterset: checks the date range reads forwards."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned


class ServiceConnectionForm(forms.Form):
    """Which Admin's stored GoTo token background work uses."""

    admin = IdModelChoiceField(
        queryset=None,
        empty_label=None,
        label="Background work signs in as",
        help_text="An Admin who has signed in (so the portal holds their GoTo token).",
    )

    def __init__(self, *args, **kwargs) -> None:
        from .selectors import admins_with_token

        super().__init__(*args, **kwargs)
        self.fields["admin"].queryset = admins_with_token()
        self.fields["admin"].label_from_instance = lambda user: user.email


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditLogFilter(django_filters.FilterSet):
    """Filters of the audit log: who, what, target, outcome, and a date range (inclusive)."""

    user = django_filters.CharFilter(method="filter_user", label="User")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label="Action")
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
