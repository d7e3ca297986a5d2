"""Form widgets the portal's pages need beyond Django's own."""

from __future__ import annotations

from html import escape

from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from .ids import IdModelChoiceField


class FastSelect(forms.Select):
    """A single ``<select>`` written in Python, for the filters of the busy pages (an account's
    organizers, its groups, statuses): Django's own renders a template per option, about
    0.1 ms each, which made a dashboard's filters cost more than the rest of the page (bench/).
    Same HTML as Django's, option groups included; options carry no attributes but
    ``selected``."""

    allow_multiple_selected = False

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        selected = set(self.format_value(value))
        attributes = flatatt({**self.build_attrs(self.attrs, attrs), "name": name})
        options = "".join(self._options(self.choices, selected))
        return mark_safe(f"<select{attributes}>{options}</select>")  # noqa: S308 (escaped below)

    def _options(self, choices, selected: set[str]):
        for option_value, label in choices:
            if isinstance(label, list | tuple):
                inner = "".join(self._options(label, selected))
                yield f'<optgroup label="{escape(str(option_value))}">{inner}</optgroup>'
                continue
            text = "" if option_value is None else str(option_value)
            mark = " selected" if text in selected else ""
            value = text if type(option_value) is int else escape(text)  # digits need none
            yield f'<option value="{value}"{mark}>{escape(str(label))}</option>'


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


class RowsChoiceIterator(ModelChoiceIterator):
    """A model select's choices read as plain rows (``values_list`` of the field's
    ``row_fields``, the id first) and labelled by its ``label_from_row``: no model object per
    option. An account of 5,000 organizers made one per option, which cost a cold dashboard
    more than its figures (~100 ms, bench/growth.py)."""

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


class FastRowsChoiceField(FastModelChoiceField):
    """:class:`FastModelChoiceField` whose options are labelled from rows
    (:class:`RowsChoiceIterator`): ``row_fields`` (the id first) and ``label_from_row``,
    which must label a row as the model's ``__str__`` labels its object."""

    iterator = RowsChoiceIterator

    def __init__(self, *args, row_fields: tuple[str, ...], label_from_row, **kwargs) -> None:
        self.row_fields = row_fields
        self.label_from_row = label_from_row
        super().__init__(*args, **kwargs)
