"""The profile page's digest form: frequency, time zone and (optionally) a group.

The group list holds only the groups the user may see (the dashboards' scope); any other
group id is refused with a form error, never silently widened. A Manager whom no Admin has
scoped yet cannot subscribe: the digest would hold nothing (fails closed).
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError

from meetings.forms import timezone_names, valid_timezone
from organizers.models import Group
from portal.scoping import visible_groups

from .models import DigestSubscription, Frequency


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.RadioSelect)
    timezone = forms.ChoiceField(
        label="Time zone", help_text="Weekly digests leave on Monday from 07:00 in this zone."
    )
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        empty_label="My whole scope",
        help_text="Narrow the digest to one group and its sub-groups.",
        error_messages={"invalid_choice": "Choose one of your own groups: that one is not."},
    )

    def __init__(self, *args, user, default_timezone: str = "UTC", **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in timezone_names()]
        self.fields["timezone"].initial = (
            default_timezone if valid_timezone(default_timezone) else "UTC"
        )
        self.fields["frequency"].initial = Frequency.WEEKLY
        self.fields["group"].queryset = visible_groups(user)

    @classmethod
    def for_subscription(cls, subscription: DigestSubscription | None, **kwargs) -> DigestForm:
        if subscription is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "frequency": subscription.frequency,
                "timezone": subscription.timezone,
                "group": subscription.group_id,
            }
        return cls(**kwargs)

    def clean(self):
        data = super().clean()
        if self.user.awaits_scope:
            raise ValidationError(
                "You are a Manager of no group yet, so a digest would be empty: an Admin has "
                "to assign you groups first."
            )
        return data

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.cleaned_data["timezone"])
