"""Row ids read from a request: an address (``/meetings/held/<id:pk>/``), a query string
(``?group=``, a list cursor) or a form post (the organizers ticked for a bulk action).

Every id column is a signed 64-bit integer (``BigAutoField``). A larger number is no row, but
handed to the database it is an error, not "no row": SQLite refuses to bind it
(``OverflowError``), and raw SQL reads (``meetings.selectors.instance_version``) meet it before
any ORM check. So an id is checked here, once, before it reaches SQL: the path converter makes
an oversized id in an address a 404 (as any id of no row), the form fields make one in a query
string or a post a form error.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]+")


def parse_id(value) -> int | None:
    """``value`` as a row id (``0`` … :data:`MAX_ID`, ASCII digits only), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not _DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if 0 <= number <= MAX_ID else None


class IdConverter:
    """``<id:pk>``: the ``int`` converter, but a number past the 64-bit range matches no URL
    (so it answers 404 and the view never runs). Registered in :mod:`portal.apps`."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not a row id")  # Django: this pattern does not match
        return number

    def to_url(self, value) -> str:
        return str(value)


class IdChoiceMixin:
    """A model choice whose value is a row id: anything else is "not one of the choices"
    without a query."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and parse_id(value) is None
        ):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdModelChoiceField(IdChoiceMixin, forms.ModelChoiceField):
    """A ``ModelChoiceField`` of a model with an integer primary key."""


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` of a model with an integer primary key."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
