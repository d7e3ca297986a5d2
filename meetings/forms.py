"""Forms of the meetings pages: meeting create/update, date ranges and the dashboard filters.

Times are entered in a time zone the user picks (default: their ``tz`` session value or
cookie, else UTC) and leave the form as timezone-aware datetimes; the API gets them in UTC.
"""

from __future__ import annotations

import copy
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.safestring import SafeString

from gotomeeting.models import CONFERENCE_CALL_INFO_MAX_LENGTH, SUBJECT_MAX_LENGTH
from organizers.models import Group, Organizer
from portal.dates import SupportedDateFilter, validate_supported_date
from portal.scoping import scoped_instances, visible_groups, visible_organizers
from portal.widgets import (
    FastModelChoiceFilter,
    FastRowsChoiceFilter,
    FastSelect,
    LazyOptionsSelect,
)

from .models import Attendee, Meeting, MeetingInstance, MeetingType
from .selectors import Cursor, DateWindow, HistoryFilter
from .services import MeetingFields

DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 366 * 20
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
TZ_SESSION_KEY = "tz"
TZ_COOKIE = "tz"


# --- Time zones -------------------------------------------------------------------------------


@cache
def timezone_names() -> tuple[str, ...]:
    """IANA zone names people pick from (Area/City), with UTC first."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )
    return ("UTC", *names)


def valid_timezone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name or name not in timezone_names():
        return None
    return zoneinfo.ZoneInfo(name)


def request_timezone(request) -> zoneinfo.ZoneInfo:
    """The user's time zone: the session's choice, else the ``tz`` cookie, else UTC."""
    session = getattr(request, "session", None)
    for name in (
        session.get(TZ_SESSION_KEY) if session is not None else None,
        request.COOKIES.get(TZ_COOKIE),
    ):
        zone = valid_timezone(name)
        if zone is not None:
            return zone
    return zoneinfo.ZoneInfo("UTC")


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as a naive wall-clock time (the form applies the zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
    default_validators = [validate_supported_date]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        return value  # shown as entered: never converted to the active time zone


def _wall_clock_to_aware(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """``value`` read in ``zone``; None when that wall-clock time does not exist (DST gap)."""
    aware = value.replace(tzinfo=zone)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return aware if round_trip == value else None


# --- Create / update a meeting ----------------------------------------------------------------


CALL_INFO_CHOICES = [
    ("VoIP", "VoIP (computer audio)"),
    ("PSTN", "PSTN (telephone)"),
    ("Hybrid", "Hybrid (computer and telephone)"),
    ("Free", "Free conference call"),
    ("Private", "Private: my own conference numbers (text below)"),
]
_CALL_INFO_KEYWORDS = {value for value, _label in CALL_INFO_CHOICES}


class MeetingForm(forms.Form):
    """Subject, times in a chosen time zone, type, password, conference call info."""

    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH, strip=True)
    timezone = forms.ChoiceField(label="Time zone", help_text="Start and end are in this zone.")
    start = LocalDateTimeField(label="Start")
    end = LocalDateTimeField(label="End")
    meeting_type = forms.ChoiceField(choices=MeetingType.choices, initial=MeetingType.SCHEDULED)
    password_required = forms.BooleanField(required=False)
    call_info = forms.ChoiceField(
        label="Conference call", choices=CALL_INFO_CHOICES, initial="VoIP"
    )
    private_call_info = forms.CharField(
        label="Own conference numbers",
        required=False,
        max_length=CONFERENCE_CALL_INFO_MAX_LENGTH,
        help_text="With “Private”: the dial-in text attendees see (up to 255 characters).",
    )

    def __init__(
        self, *args, default_timezone: str = "UTC", meeting: Meeting | None = None, **kwargs
    ):
        self.meeting = meeting
        if meeting is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(meeting, default_timezone)
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in timezone_names()]
        self.fields["timezone"].initial = (
            default_timezone if valid_timezone(default_timezone) else "UTC"
        )

    @staticmethod
    def initial_for(meeting: Meeting, zone_name: str) -> dict:
        zone = valid_timezone(zone_name) or zoneinfo.ZoneInfo("UTC")
        info = meeting.conference_call_info or "VoIP"
        known = info in _CALL_INFO_KEYWORDS
        return {
            "subject": meeting.subject,
            "timezone": zone.key,
            "start": meeting.start_time.astimezone(zone).replace(
                tzinfo=None, second=0, microsecond=0
            ),
            "end": meeting.end_time.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0),
            "meeting_type": meeting.meeting_type,
            "password_required": meeting.password_required,
            "call_info": info if known else "Private",
            "private_call_info": "" if known else info,
        }

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        if not subject:
            raise ValidationError("Give the meeting a subject.")
        return subject

    def clean(self):
        data = super().clean()
        zone = valid_timezone(data.get("timezone"))
        start, end = data.get("start"), data.get("end")
        if zone is None or start is None or end is None:
            return data
        start_at = _wall_clock_to_aware(start, zone)
        end_at = _wall_clock_to_aware(end, zone)
        if start_at is None:
            self.add_error("start", f"This time does not exist in {zone.key} (clock change).")
        if end_at is None:
            self.add_error("end", f"This time does not exist in {zone.key} (clock change).")
        if start_at is None or end_at is None:
            return data
        if end_at <= start_at:
            self.add_error("end", "The end must be after the start.")
        if data.get("meeting_type") != MeetingType.IMMEDIATE and start_at < timezone.now():
            self.add_error("start", "The start is in the past: pick a time still to come.")
        data["start_at"] = start_at.astimezone(UTC)
        data["end_at"] = end_at.astimezone(UTC)
        if data.get("call_info") == "Private":
            data["conference_call_info"] = data.get("private_call_info") or "Private"
        else:
            if data.get("private_call_info"):
                self.add_error(
                    "private_call_info", "Own numbers go with “Private”: choose it, or clear this."
                )
            data["conference_call_info"] = data.get("call_info", "")
        return data

    def meeting_fields(self) -> MeetingFields:
        data = self.cleaned_data
        return MeetingFields(
            subject=data["subject"],
            start_time=data["start_at"],
            end_time=data["end_at"],
            meeting_type=data["meeting_type"],
            password_required=data["password_required"],
            conference_call_info=data["conference_call_info"],
        )


# --- Pagination cursors and date ranges ---------------------------------------------------------


class CursorField(forms.CharField):
    """``<iso datetime>,<id>`` from an "Older →" link."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return Cursor.decode(text)
        except ValueError:
            raise ValidationError(
                "This page link is damaged; start again from the first page.", code="cursor"
            ) from None


class CursorFilter(django_filters.Filter):
    """A list cursor (``?before=`` / ``?after=``): validated with the filters, used by the
    keyset pager rather than as a WHERE."""

    field_class = CursorField

    def __deepcopy__(self, memo):
        """A copy for each filterset (django-filter deep-copies its filters per instance).
        Nothing here changes per request but the parent and model the filterset sets, so a
        shallow copy with its own ``extra`` does, in a fifth of the time; the copy makes its
        own form field when asked."""
        clone = copy.copy(self)
        clone.extra = dict(self.extra)
        clone.__dict__.pop("_field", None)
        return clone

    def filter(self, qs, value):
        return qs


class KeyFilter(django_filters.CharFilter):
    """An email key (the attendee report's cursor, or the person to expand): not a WHERE."""

    def filter(self, qs, value):
        return qs


class RangeForm(forms.Form):
    """The base form of the date-range filtersets: the end is not before the start, and (with
    ``max_days``) the range is not longer than that."""

    max_days: int | None = None

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date must not be before the start date.")
            elif self.max_days is not None and (end - start).days > self.max_days:
                self.add_error("start", "Choose a range of at most 20 years.")
        return data


class HistoryRangeForm(RangeForm):
    max_days = MAX_RANGE_DAYS


class CursorFilterSet(django_filters.FilterSet):
    """The cursors of keyset-paginated lists: ``?before=`` (older) and ``?after=`` (later)."""

    before = CursorFilter(widget=forms.HiddenInput)
    after = CursorFilter(widget=forms.HiddenInput)

    class Meta:
        model = Attendee
        fields: list[str] = []

    def get_form_class(self):
        """django-filter's form class, made once per filterset class rather than per request
        (a ``type()`` of the form over every filter's field: 50 of the 115 µs a meeting's
        attendees page spent on its two cursors). The filters here and in the subclasses are
        the same for every request; a subclass whose fields vary must override this again."""
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def cursor(self, name: str) -> Cursor | None:
        """The cursor ``name`` if it is valid, else None (a damaged link starts from the first
        page, and the page shows the filters' errors)."""
        self.is_valid()
        return self.form.cleaned_data.get(name)


class DateRangeFilterSet(CursorFilterSet):
    """An optional date range (whole days in the user's time zone) and list cursors: an
    organizer's scheduled meetings and history."""

    start = SupportedDateFilter(method="by_window")
    end = SupportedDateFilter(method="by_window")

    class Meta:
        model = MeetingInstance
        fields: list[str] = []
        form = RangeForm

    def __init__(self, data=None, *, tz=UTC, **kwargs):
        self.tz = tz
        super().__init__(data, **kwargs)

    def by_window(self, queryset, name, value):
        return queryset  # both ends at once, in filter_queryset

    def filter_queryset(self, queryset):
        return self.window().apply(super().filter_queryset(queryset))

    def window(self) -> DateWindow:
        data = self.form.cleaned_data if self.is_valid() else {}
        return DateWindow(start=data.get("start"), end=data.get("end"), tz=self.tz)


class HistoryFilterSet(django_filters.FilterSet):
    """Group (with its sub-groups), organizer and a date range, any range however old (blank
    dates: the last 30 days, and the inputs show them), within what ``user`` may see; its
    ``qs`` is the meetings they select, as :func:`meetings.selectors.history_instances`."""

    group = FastModelChoiceFilter(
        queryset=Group.objects.none(), empty_label="All groups", method="by_history_filter"
    )
    organizer = FastRowsChoiceFilter(
        queryset=Organizer.objects.none(),
        empty_label="All organizers",
        method="by_history_filter",
        row_fields=("id", "first_name", "last_name", "email"),
        label_from_row=lambda row: Organizer.label(*row[1:]),
        # The whole list comes after the page (organizer_select below): an account of 5,000
        # organizers would write them all into every dashboard and report.
        widget=LazyOptionsSelect(options_url=reverse_lazy("meetings:organizer_options")),
    )
    start = SupportedDateFilter(method="by_history_filter")
    end = SupportedDateFilter(method="by_history_filter")
    before = CursorFilter(widget=forms.HiddenInput)

    class Meta:
        model = MeetingInstance
        fields: list[str] = []
        form = HistoryRangeForm

    def __init__(self, data=None, *, user, tz=UTC, **kwargs):
        self.tz = tz
        today = timezone.localdate(timezone=tz)
        self.default_start = today - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        self.default_end = today
        if data is not None:
            # Blank dates mean the default range, and the inputs show it.
            data = data.copy()
            for name, default in (("start", self.default_start), ("end", self.default_end)):
                if not data.get(name):
                    data[name] = default.isoformat()
        super().__init__(data, queryset=scoped_instances(user), **kwargs)
        self.filters["group"].queryset = visible_groups(user)
        # Only what the option's label needs: a large account lists hundreds of organizers.
        self.filters["organizer"].queryset = (
            visible_organizers(user)
            .select_related(None)
            .only("id", "first_name", "last_name", "email")
        )

    @classmethod
    def organizer_select(cls, *, user, selected: str) -> SafeString:
        """The organizer filter's select with every organizer ``user`` may see, ``selected``
        chosen: what :class:`~portal.widgets.LazyOptionsSelect` puts in place of the short one
        the page carries (same name and id)."""
        bound = cls({"organizer": selected}, user=user).form["organizer"]
        widget = FastSelect()
        widget.choices = bound.field.choices
        return bound.as_widget(widget=widget)

    def by_history_filter(self, queryset, name, value):
        return queryset  # all at once, in filter_queryset

    def filter_queryset(self, queryset):
        return self.history_filter().apply(queryset)

    def history_filter(self) -> HistoryFilter:
        """The valid filters as the selectors take them."""
        data = self.form.cleaned_data
        return HistoryFilter(
            window=DateWindow(
                start=data.get("start") or self.default_start,
                end=data.get("end") or self.default_end,
                tz=self.tz,
            ),
            group=data.get("group"),
            organizer=data.get("organizer"),
        )


class AttendeeReportFilterSet(HistoryFilterSet):
    """The dashboard's filters, plus the email cursor and the email to expand."""

    before = None
    after = KeyFilter(max_length=254, widget=forms.HiddenInput)
    attended = KeyFilter(max_length=254, widget=forms.HiddenInput)
