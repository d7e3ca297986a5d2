"""Form widgets the portal's pages need beyond Django's own."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .escaping import escaped
from .ids import IdChoiceMixin, IdModelChoiceField, parse_id


class FastSelect(forms.Select):
    """A single ``<select>`` written in Python, for the filters of the busy pages (an account's
    organizers, its groups, statuses): Django's own renders a template per option, about
    0.1 ms each, which made a dashboard's filters cost more than the rest of the page (bench/).
    Same HTML as Django's, option groups included; options carry no attributes but
    ``selected``. Built with ``format_html`` / ``format_html_join``, which escape every value."""

    allow_multiple_selected = False

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        selected = set(self.format_value(value))
        attributes = flatatt({**self.build_attrs(self.attrs, attrs), "name": name})
        return format_html(
            "<select{}>{}</select>", attributes, self._options(self.choices, selected)
        )

    def _options(self, choices, selected: set[str]) -> SafeString:
        # One format_html for all the options (a large account lists hundreds of organizers):
        # the pattern is built from constants, the values and labels are its arguments.
        pattern, values = [], []
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                pattern.append('<optgroup label="{}">{}</optgroup>')
                values += [option_value, self._options(label, selected)]
                continue
            text = "" if option_value is None else str(option_value)
            pattern.append(_SELECTED_OPTION if text in selected else _OPTION)
            values += [escaped(text), escaped(label)]
        return format_html("".join(pattern), *values) if values else SafeString("")


class LazyOptionsSelect(FastSelect):
    """A select of very many options (an account's 5,000 organizers) whose page carries the
    empty choice and the chosen one only; the whole list replaces it right after the page has
    loaded (htmx, from ``options_url``, which is sent the select's value as ``name=value`` and
    answers with the same select in full).

    The list depends on the viewer's scope and the organizers alone, so it is kept apart from
    the page (:mod:`portal.page_cache`): a new date range or group is no longer a new list of
    5,000 options to write (a third of a cold dashboard at 10M attendee rows, bench/growth.py).
    """

    def __init__(self, attrs=None, *, options_url: str) -> None:
        super().__init__(attrs)
        self.options_url = options_url

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = [v for v in self.format_value(value) if parse_id(v) is not None]
        attributes = {
            **self.build_attrs(self.attrs, attrs),
            "name": name,
            # htmx sends the select's own value (``name=value``) with the request. The
            # attributes a filter form gives its fields (target, select, address) are set
            # here for this element alone.
            "hx-get": str(self.options_url),
            "hx-trigger": "load",
            "hx-target": "this",
            "hx-select": "select",
            "hx-swap": "outerHTML",
            "hx-push-url": "false",
            # static/portal/portal.js keeps a choice made before the list arrives.
            "data-lazy-options": "",
        }
        return format_html(
            "<select{}>{}</select>",
            flatatt(attributes),
            self._options(self.choices.only(chosen), set(chosen)),
        )


_OPTION = '<option value="{}">{}</option>'
_SELECTED_OPTION = '<option value="{}" selected>{}</option>'


class OneQueryChoiceIterator(ModelChoiceIterator):
    """A model select's choices read with one plain query. Django's own reads them with
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH,
    CLOSE): for an account's dozen groups, twice the time of the query itself (bench/)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class FastModelChoiceField(IdModelChoiceField):
    """A model select for the busy pages' filters: :class:`FastSelect`, one query (none for a
    value that is no id)."""

    widget = FastSelect
    iterator = OneQueryChoiceIterator


class _FastFilterModelChoiceField(IdChoiceMixin, django_filters.fields.ModelChoiceField):
    widget = FastSelect
    iterator = OneQueryChoiceIterator  # no "null" choice: none of these filters offers one


class FastModelChoiceFilter(django_filters.ModelChoiceFilter):
    """django-filter's model choice, read with one query and written in Python."""

    field_class = _FastFilterModelChoiceField


class RowsChoiceIterator(ModelChoiceIterator):
    """A model select's choices read as plain rows (``values_list`` of the field's
    ``row_fields``, the id first) and labelled by its ``label_from_row``: no model object per
    option. An account of 5,000 organizers made one per option, which cost a cold dashboard
    more than its figures (~100 ms, bench/growth.py)."""

    def __init__(self, field, queryset=None) -> None:
        super().__init__(field)
        if queryset is not None:
            self.queryset = queryset

    def only(self, values: list[str]) -> list[tuple]:
        """The empty choice and the choices among ``values`` (ids; anything else is none): what
        :class:`LazyOptionsSelect` writes into the page."""
        ids = [number for number in map(parse_id, values) if number is not None]
        if not ids:
            return [("", self.field.empty_label)] if self.field.empty_label is not None else []
        # iter(): list() of the iterator itself would ask its length first, a COUNT query.
        return list(iter(RowsChoiceIterator(self.field, self.queryset.filter(pk__in=ids))))

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_row
        try:
            sql, params = self.queryset.values_list(*self.field.row_fields).query.sql_with_params()
        except EmptyResultSet:  # a queryset that selects nothing (``pk__in=[]``)
            return
        # One fetchall: iterating the queryset fetches 100 rows at a time (a tenth of the
        # select's time at 5,000 organizers).
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for row in rows:
            yield (row[0], label(row))


class _FastRowsFilterField(_FastFilterModelChoiceField):
    """Options labelled from rows: ``row_fields`` (the id first) and ``label_from_row``,
    which must label a row as the model's ``__str__`` labels its object."""

    iterator = RowsChoiceIterator

    def __init__(self, *args, row_fields: tuple[str, ...], label_from_row, **kwargs) -> None:
        self.row_fields = row_fields
        self.label_from_row = label_from_row
        super().__init__(*args, **kwargs)


class FastRowsChoiceFilter(django_filters.ModelChoiceFilter):
    """:class:`FastModelChoiceFilter` whose options are labelled from rows
    (:class:`RowsChoiceIterator`); it takes ``row_fields`` and ``label_from_row``."""

    field_class = _FastRowsFilterField
