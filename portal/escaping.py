"""Escaping values for ``format_html`` in the portal's busiest Python-written HTML (declared
tables' rows, long selects), in one place."""

from __future__ import annotations

import html
from typing import Any

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString


def escaped(value: Any) -> SafeString:
    """``conditional_escape(value)``: the same text, without Django's ``keep_lazy`` wrapper of
    ``escape`` for the two types most cells and options hold (a ``str`` or an ``int`` is never
    lazy). That wrapper took four fifths of escaping a name (``escape`` is ``html.escape``
    behind it), and two thirds of writing 5,000 organizers' options (bench/). Safe strings
    pass as they are; lazy strings and anything else go Django's way."""
    kind = type(value)
    if kind is str:
        return SafeString(html.escape(value))
    if kind is SafeString:
        return value
    if kind is int:
        return SafeString(value)  # digits and "-": nothing to escape
    return conditional_escape(value)


_JOIN = "\x00"  # not one of & < > " ' : html.escape leaves it, and the characters around it


def escaped_all(values: list) -> list:
    """``[escaped(value) for value in values]``, the ``str`` values escaped together: joined by
    a NUL, one ``html.escape`` (it replaces each character on its own, so the pieces come out
    as each would alone), split again: ten attendees' rows (50 short strings) in 8.3 µs
    against 12.7 one by one. Values of any other type, and all of them when one holds a NUL,
    go through :func:`escaped`."""
    if set(map(type, values)) == {str}:
        joined = _JOIN.join(values)
        if joined.count(_JOIN) == len(values) - 1:
            return list(map(SafeString, html.escape(joined).split(_JOIN)))
    return list(map(escaped, values))


def html_attrs(attrs: dict[str, Any]) -> SafeString:
    """A widget's attributes as Django's ``django/forms/widgets/attrs.html`` writes them, in
    their order: ``True`` is the bare name, ``False`` leaves the attribute out, anything else
    is ``name="value"``, escaped. (``flatatt`` writes the same attributes sorted, booleans
    last.)"""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
