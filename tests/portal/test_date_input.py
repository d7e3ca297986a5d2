"""The date picker written in Python (every date filter and form) writes the HTML Django's
own template writes: same attributes, same value, escaped."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from portal.dates import DateInput, SupportedDateField


def djangos(widget: DateInput, name: str, value, attrs=None) -> str:
    """What Django's template-rendered ``DateInput`` writes for the same widget."""
    return forms.DateInput.render(widget, name, value, attrs=attrs)


@pytest.mark.parametrize(
    ("value", "attrs"),
    [
        (None, None),
        (date(2026, 3, 2), {"id": "id_start", "required": True}),
        ("2026-3-2", {"id": "id_end", "aria-invalid": "true", "disabled": False}),
        ('"><script>alert(1)</script>', {"id": "id_start", "data-x": 'a"b'}),
        ("", {"id": "id_start"}),
    ],
)
def test_same_html_as_djangos_template(value, attrs):
    widget = DateInput(attrs={"class": "narrow"})
    assert widget.render("start", value, attrs=attrs) == djangos(widget, "start", value, attrs)


def test_a_bound_field_shows_the_entered_text_escaped_and_the_bounds():
    class Form(forms.Form):
        start = SupportedDateField()

    html = str(Form({"start": '2026-01-32"<b>'})["start"])
    assert html.startswith('<input type="date" name="start" value="2026-01-32&quot;&lt;b&gt;"')
    assert 'min="1970-01-01" max="2999-12-31"' in html
    assert 'aria-invalid="true"' in html and "<b>" not in html
