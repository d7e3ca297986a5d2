"""Query parameters of the API, validated by the dashboard's own form.

The meeting-instance, attendee and dashboard resources take exactly the dashboard's filters
(:class:`meetings.forms.HistoryFilterSet`: group with its sub-groups, organizer, ``start`` and
``end`` as whole days, by default the last 30 days), so a figure pulled through the API is the
figure on the page. The choices of ``group`` and ``organizer`` are the user's visible ones: an id
outside the scope is refused like an id that does not exist. ``tz`` (an IANA name, default UTC)
says in which zone the days are whole, as the page's time-zone picker does.

Any parameter the resource does not know is an error too: a BI tool's typo (``strat=``) would
otherwise silently return the default range.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import UTC

from django import forms
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from meetings.forms import HistoryFilterSet, valid_timezone
from organizers.models import Group
from portal.scoping import visible_groups
from portal.widgets import FastModelChoiceField

PAGING_PARAMETERS = frozenset({"cursor", "page_size"})
INACTIVE_CHOICES = (30, 60, 90)


def bad_parameters(errors: dict[str, list[str]]) -> ValidationError:
    """A 400 whose body names every bad parameter and says what is wrong with each."""
    names = ", ".join(sorted(errors))
    return ValidationError(
        {"detail": f"Invalid query parameters: {names}.", "errors": errors}, code="invalid"
    )


def _errors(form: forms.Form) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def _unknown(params: QueryDict, known: set[str]) -> dict[str, list[str]]:
    """Errors of the parameters the resource does not know, or gives more than once."""
    errors = {
        name: [f"Unknown parameter. Known: {', '.join(sorted(known)) or 'none'}."]
        for name in sorted(set(params) - known)
    }
    for name in params:
        if name not in known:
            continue
        if len(params.getlist(name)) > 1:
            errors[name] = ["Give this parameter once."]
        elif params[name] == "":
            # A page's form sends blanks for "any"; a client that sends one has a bug.
            errors[name] = ["Empty: give a value or leave the parameter out."]
    return errors


def _check_known(params: QueryDict, known: set[str]) -> None:
    errors = _unknown(params, known)
    if errors:
        raise bad_parameters(errors)


def _zone(params: QueryDict) -> zoneinfo.ZoneInfo | None:
    return valid_timezone(params.get("tz") or "UTC")


TZ_ERROR = "Unknown time zone: give an IANA name such as Europe/Paris."


class ApiHistoryFilterSet(HistoryFilterSet):
    """The dashboard's filters; the API pages with ``cursor``, not the page's ``before``."""

    before = None


def history_filters(params: QueryDict, *, user, paginated: bool = True):
    """The :class:`meetings.selectors.HistoryFilter` of ``params``, or a 400 listing every bad
    parameter at once."""
    known = {"group", "organizer", "start", "end", "tz"}
    if paginated:
        known |= PAGING_PARAMETERS
    errors = _unknown(params, known)
    zone = _zone(params)
    if zone is None:
        errors["tz"] = [TZ_ERROR]
    data = {name: params[name] for name in ("group", "organizer", "start", "end") if name in params}
    filterset = ApiHistoryFilterSet(data, user=user, tz=zone or UTC)
    if not filterset.is_valid():
        errors.update(_errors(filterset.form))
    if errors:
        raise bad_parameters(errors)
    return filterset.history_filter()


class OrganizerFilterForm(forms.Form):
    group = FastModelChoiceField(queryset=Group.objects.none(), required=False)
    inactive_days = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in INACTIVE_CHOICES], coerce=int, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = visible_groups(user)


def organizer_filters(params: QueryDict, *, user) -> dict:
    """``group`` (a visible group, with its sub-groups) and ``inactive_days`` (30, 60 or 90: no
    meeting held for that long, never-hosted included), or a 400 listing every bad parameter."""
    errors = _unknown(params, {"group", "inactive_days"} | PAGING_PARAMETERS)
    form = OrganizerFilterForm(
        {name: params[name] for name in ("group", "inactive_days") if name in params}, user=user
    )
    if not form.is_valid():
        errors.update(_errors(form))
    if errors:
        raise bad_parameters(errors)
    return {
        "group": form.cleaned_data.get("group"),
        "inactive_days": form.cleaned_data.get("inactive_days") or None,
    }


def no_parameters(params: QueryDict) -> None:
    _check_known(params, set())


# --- The tokens page ---------------------------------------------------------------------------


EXPIRY_CHOICES = (
    (7, "7 days"),
    (30, "30 days"),
    (90, "90 days"),
    (180, "180 days"),
    (365, "1 year"),
)


class ApiTokenCreateForm(forms.Form):
    """A name to recognise the token by, and how long it lives (required: no token lives for
    ever, at most ``API_TOKEN_MAX_DAYS``)."""

    name = forms.CharField(
        max_length=100,
        strip=True,
        help_text="What uses it, e.g. “Power BI – monthly licence report”.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
    # One per form shown: the same form sent again (a reload of the page that showed the new
    # secret re-sends its POST) must not make a second token.
    once = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = secrets.token_urlsafe(16)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name
