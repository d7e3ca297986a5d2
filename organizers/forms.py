"""Input of the organizers pages: the list's filters, the invite form, the CSV upload, bulk."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet

from gotomeeting.models import ProductType
from portal.ids import IdModelChoiceField, IdModelMultipleChoiceField
from portal.widgets import FastModelChoiceFilter, FastSelect

from .csv_import import MAX_BYTES, UTF8, WINDOWS_1252, CsvImportError, ParsedCsv, parse_csv
from .models import Group, Organizer
from .selectors import INACTIVE_DAYS, inactive_since

PRODUCT_CHOICES = [(p.value, p.value) for p in ProductType]
STATUS_CHOICES = [
    ("active", "Active"),
    ("suspended", "Suspended"),
    ("pending", "Pending confirmation"),
]


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sorts rows without a value (never met, never synced) last, in either direction, on
    every database (PostgreSQL and SQLite disagree by default)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        name = param.lstrip("-")
        field = self.param_map.get(name, name)
        expression = F(field)
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


class OrganizerFilter(django_filters.FilterSet):
    """The filters, search and sort of the organizers list (and of its CSV export)."""

    q = django_filters.CharFilter(method="filter_search", label="Search")
    group = FastModelChoiceFilter(
        queryset=Group.objects.none(), empty_label="All groups", label="Group"
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label="Any status",
        label="Status",
        widget=FastSelect,
    )
    product = django_filters.ChoiceFilter(
        choices=PRODUCT_CHOICES,
        method="filter_product",
        empty_label="Any product",
        label="Product",
        widget=FastSelect,
    )
    inactive = django_filters.ChoiceFilter(
        choices=[(str(d), f"No meeting in {d} days") for d in INACTIVE_DAYS],
        method="filter_inactive",
        empty_label="Any activity",
        label="Licence use",
        widget=FastSelect,
    )
    show_deleted = django_filters.BooleanFilter(
        method="filter_deleted", widget=forms.CheckboxInput, label="Show deleted"
    )
    sort = NullsLastOrderingFilter(
        fields=(
            ("last_name", "name"),
            ("email", "email"),
            ("group__name", "group"),
            ("status", "status"),
            ("last_meeting", "last_meeting"),
            ("synced_at", "synced"),
        ),
        field_labels={"last_name": "Name", "last_meeting": "Last meeting"},
        label="Sort by",
    )

    class Meta:
        model = Organizer
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, groups: QuerySet[Group] | None = None, **kw):
        super().__init__(data, queryset, **kw)
        self.filters["group"].queryset = groups if groups is not None else Group.objects.all()

    def filter_search(self, queryset, name, value):
        for term in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(organizer_key__isnull=True)
        return queryset.filter(status=value, organizer_key__isnull=False)

    def filter_product(self, queryset, name, value):
        return queryset.filter(
            Q(products=value)
            | Q(products__startswith=f"{value},")
            | Q(products__endswith=f",{value}")
            | Q(products__contains=f",{value},")
        )

    def filter_inactive(self, queryset, name, value):
        return inactive_since(queryset, int(value))

    def filter_deleted(self, queryset, name, value):
        return queryset  # applied in filter_queryset, since "absent" must hide deleted rows

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("show_deleted"):
            queryset = queryset.filter(deleted_at__isnull=True)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("last_name", "first_name", "email")
        return queryset.order_by(*queryset.query.order_by, "pk")


class OrganizerInviteForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email")
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    group = IdModelChoiceField(
        queryset=Group.objects.all(), empty_label="Choose a group", label="Group"
    )
    product_type = forms.ChoiceField(
        choices=PRODUCT_CHOICES, initial=ProductType.G2M.value, label="Product type"
    )

    def __init__(self, *args, groups: QuerySet[Group] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if groups is not None:
            self.fields["group"].queryset = groups

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        existing = Organizer.objects.filter(email__iexact=email, deleted_at__isnull=True).first()
        if existing is not None:
            state = "pending confirmation" if existing.is_pending else existing.status
            raise ValidationError(
                f"An organizer with this email is already in the portal ({state}).",
                code="exists",
            )
        return email

    def clean_first_name(self) -> str:
        return _required_text(self.cleaned_data["first_name"], "First name")

    def clean_last_name(self) -> str:
        return _required_text(self.cleaned_data["last_name"], "Last name")


def _required_text(value: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(f"{label} is required.", code="required")
    return value


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: email, first name, last name, group, product type. Comma or semicolon "
            "separated, UTF-8. At most 1 MB and 5,000 rows."
        ),
    )
    # Never guessed (see organizers.csv_import): a post without it means UTF-8.
    encoding = forms.ChoiceField(
        label="Encoding",
        choices=[
            (UTF8, "UTF-8 (“CSV UTF-8”, recommended)"),
            (WINDOWS_1252, "Windows-1252 (older Excel’s “CSV (comma delimited)”)"),
        ],
        initial=UTF8,
        required=False,
        help_text="A file that is not in this encoding is refused, never read garbled.",
    )

    parsed: ParsedCsv | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 1 MB. "
                "Split it into smaller files.",
                code="too_big",
            )
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and "encoding" in data:
            try:
                self.parsed = parse_csv(
                    upload.read(MAX_BYTES + 1), encoding=data["encoding"] or UTF8
                )
            except CsvImportError as exc:
                self.add_error("file", ValidationError(exc.message, code="unreadable"))
        return data


class BulkActionForm(forms.Form):
    ACTIONS = [("suspend", "Suspend"), ("reactivate", "Reactivate")]

    action = forms.ChoiceField(choices=ACTIONS)
    organizers = IdModelMultipleChoiceField(
        queryset=Organizer.objects.none(),
        error_messages={"required": "Select at least one organizer."},
    )
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, organizers: QuerySet[Organizer] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is not None:
            self.fields["organizers"].queryset = organizers


class ConfirmForm(forms.Form):
    """The POST of a confirmation page: nothing to fill in, only a deliberate submit."""

    next = forms.CharField(required=False)
