"""Input of the accounts pages: a user's role and access, and the audit log's filters."""

from __future__ import annotations

from django import forms

from organizers.models import Group
from portal.ids import IdModelChoiceField, IdModelMultipleChoiceField

from .models import Role


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
