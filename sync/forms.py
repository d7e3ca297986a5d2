"""Input of the Sync status page."""

from __future__ import annotations

from django import forms

from .models import SyncArea


class SyncRefreshForm(forms.Form):
    """ "Refresh now" for one area."""

    area = forms.ChoiceField(choices=SyncArea.choices)
