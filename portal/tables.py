"""A table declared once: its columns (header, sort key, HTML cell, export values) in one place
that both the page and its exports (``?export=csv``, ``?export=xlsx``) read.

A :class:`Table` subclass lists :class:`Column` objects in order and says, in :meth:`Table.fields`,
what a row's values are. A column shown on the page has an ``html`` pattern over those fields
(the HTML inside its ``<td>``, filled by :func:`~django.utils.html.format_html`, which escapes
every value), or one pattern per ``variant`` of a row (an organizer's actions by status); a
column in the export has one or more :class:`Export` values (a heading and a *typed* value:
datetime, int, str… never a pre-formatted string, so the same values can fill a CSV file or a
spreadsheet). A column may be on the page only (the check box, the actions), in the export only
(the organizer key), or both; the page's columns and the export's columns keep the declared
order, so the two cannot disagree.

Rows are written in Python, not with a template per row: Django's template engine spent about
0.7 ms per organizers row (five links, three dates, a badge, an include; bench/ measured a cold
organizers list at 6% of a trivial view). django-tables2 took fifteen times this module for the
same 500 organizers (each cell through the template engine and a ``BoundColumn``), so the portal
keeps this small declaration, and no new package.

How a page's rows are made, and why (issue 16's "no slower than the f-string rows it replaced";
``bench/page_times.py`` and ``bench/dashboard.py``, old and new code back to back):

- a row's pattern is its columns' ``<td>`` joined once per table class and variants, its links
  (``links``: reversed once per process with a placeholder key that becomes the row's key) and
  its constants (``constants``: the way back of a row action) written in: no ``reverse()``, no
  per-cell ``format_html`` per row;
- a field is escaped once per row however often the pattern names it (an organizer's email is
  in four places), by :func:`escaped`: ``conditional_escape`` without the ``keep_lazy`` wrapper
  that took four fifths of escaping a ``str``; and it is one argument of ``format_html``
  however often the pattern names it (the patterns number their fields), so ``format_html``
  checks it once: an organizers page passed 920 arguments for 500 distinct fields;
- every ten rows are one ``format_html`` (the rows' patterns joined, their fields numbered on
  from the previous row's), not one per row nor one per page (:meth:`Table.rows_html`).

The first declaration (a ``format_html`` per cell, escaping through ``conditional_escape``) made
the rows of a 50-row page 2.5 times the f-strings' (organizers 3.4 against 1.3 ms, best of 400);
this one makes them as fast (1.2 against 1.24 ms) for the organizers, and a meeting's attendees
0.57 against 0.41 ms (five short fields a row: the price of going through ``format_html``).
Whole pages (``bench/page_times.py``, CPU per request, 8cba398 then this code) were still
slower after that: organizers 19–20 → 22–23 ms, attendees 12–13 → 15–16 ms, the trivial view
3.2–3.3 → 3.6–3.8 ms; their rows differ by 0.2 ms at most, so the rest is outside the tables.
The attendees page's last millisecond (7%), by part (µs, best of 1,400, 8cba398 → before →
after the round that closed it): its cursors through django-filter 24 → 125 → 46 (the form
class made per request), its 50 rows 242 → 361 → 259 (every field escaped and checked by
``format_html``), the table's set-up and headings 0 → 24 → 4, the template with the context
processors 747 → 887 → 554 (the navigation's eight ``reverse()`` on every page, and the
header's three ``|date``). The pages' collections of the garbage collector also moved: a
``SafeString`` is counted by it, and 250–900 of them alive at once started one on most
requests.

Exports go through one method, :meth:`Table.export_response`, which hands the typed values to
:func:`portal.export.export_response` (CSV streamed, or Excel in constant memory).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from operator import itemgetter
from string import Formatter
from typing import Any, ClassVar

from django.conf import settings
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString

from .escaping import escaped, escaped_all
from .export import ExportKind, export_response

Value = Callable[[Any], Any]  # row -> a typed value
_ANY_PK = 2_147_483_647  # a link is reversed with it once, then it becomes the row's key


def cell_html(pattern: str, *values: Any) -> SafeString:
    """``format_html(pattern, *values)`` for a piece of a cell built per row (a date), each
    value escaped by :func:`escaped` on the way in."""
    return format_html(pattern, *map(escaped, values))


@dataclass(frozen=True)
class Export:
    """One column of the export: its heading and how to read a row's typed value."""

    header: str
    value: Value


@dataclass(frozen=True)
class Column:
    """One column of a table.

    - ``header``: the page's heading (blank for a check box column);
    - ``html``: what goes in the ``<td>``: a ``format_html`` pattern over the row's fields
      (:meth:`Table.fields`), such as ``'<a href="{detail}">{name}</a>'``; or, when rows of
      different kinds show different HTML (an organizer's actions), a pattern per kind
      (:meth:`Table.kind`); None for a column of the export only;
    - ``exports``: the export's columns this column gives (none: the page only);
    - ``sort``: the ``?sort=`` keys the heading links to, as ``(label, key)`` pairs joined by
      " / " (one pair whose label is the header for a plain sortable heading);
    - ``td``: the ``<td>``'s class, if any;
    - ``head``: HTML in place of the heading's text (a "select all" check box).
    """

    header: str = ""
    html: str | Mapping[Hashable, str] | None = None
    variant: Callable[[Any], Hashable] | None = None
    exports: tuple[Export, ...] = ()
    sort: tuple[tuple[str, str], ...] = ()
    td: str = ""
    head: SafeString | None = None

    @property
    def on_page(self) -> bool:
        return self.html is not None

    def pattern(self, variant: Hashable) -> str:
        return self.html if isinstance(self.html, str) else self.html[variant]  # type: ignore[index]


def sortable(header: str, key: str) -> tuple[tuple[str, str], ...]:
    """The ``sort`` of a heading that is one link."""
    return ((header, key),)


def _literal(text: str) -> str:
    """``text`` as it must be written into a ``format_html`` pattern to come out unchanged
    (braces doubled); it is escaped already, or is the pattern's own constant text."""
    return text.replace("{", "{{").replace("}", "}}")


def _fill(pattern: str, pieces: Mapping[str, str]) -> str:
    """``pattern`` with each ``{name}`` of ``pieces`` replaced by its piece (itself a pattern);
    every other field, and the literal braces, kept as they were."""
    if not pieces:
        return pattern
    out: list[str] = []
    for literal, name, spec, conversion in Formatter().parse(pattern):
        out.append(_literal(literal))
        if name is None:
            continue
        if name in pieces:
            out.append(pieces[name])
        else:
            out.append(_field(name, spec, conversion))
    return "".join(out)


_FORMATS: dict[tuple, dict] = {}
ROWS_PER_FORMAT = 10  # rows filled by one format_html (see Table.rows_html)
_HEADS: dict[type, SafeString] = {}  # a table class's headings, when they have no sort links


class _RowFormat:
    """A row's ``format_html`` pattern, its fields numbered from any first index (its place
    among the arguments of the rows filled together), and what picks the row's distinct
    fields from :meth:`Table.fields` in the order of their numbers. A field the pattern
    names twice or more is one argument: escaped once, and checked once by ``format_html``
    (an organizer's email is in four places)."""

    __slots__ = ("_patterns", "_pieces", "pick")

    def __init__(self, pattern: str) -> None:
        pieces: list[tuple[str, int | None, str]] = []
        names: dict[str, int] = {}
        for literal, name, spec, conversion in Formatter().parse(pattern):
            if name is None:
                pieces.append((_literal(literal), None, ""))
                continue
            index = names.setdefault(name, len(names))
            pieces.append((_literal(literal), index, _field("", spec, conversion)[1:]))
        self._pieces = tuple(pieces)
        self._patterns: dict[int, str] = {}
        self.pick = _picker(tuple(names))

    def at(self, first: int) -> str:
        """The pattern with its fields numbered from ``first`` (made once per first index)."""
        pattern = self._patterns.get(first)
        if pattern is None:
            pattern = "".join(
                literal if index is None else f"{literal}{{{first + index}{rest}"
                for literal, index, rest in self._pieces
            )
            self._patterns[first] = pattern
        return pattern


def _picker(keys: tuple) -> Callable[[Any], tuple]:
    """``itemgetter(*keys)`` that always answers a tuple (also for no key or one)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda values: (values[key],)
    return lambda values: ()


@functools.lru_cache(maxsize=256)
def _link_pattern(url_name: str, key: str, prefix: str, urlconf: str) -> str:
    """The URL of ``url_name`` for any row as a piece of a ``format_html`` pattern: escaped,
    its braces doubled, the placeholder key replaced by the field ``key`` (an int). Reversed
    once per process and script prefix."""
    url = str(conditional_escape(reverse(url_name, args=[_ANY_PK], urlconf=urlconf)))
    return _literal(url).replace(str(_ANY_PK), f"{{{key}}}")


def _field(name: str, spec: str | None, conversion: str | None) -> str:
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


@dataclass
class Table:
    """A declared table; a subclass sets ``columns`` and :meth:`fields` (and ``tr``, ``links``,
    :meth:`constants` when it needs them).

    ``tz``: the zone the export's datetimes are given in (the viewer's, on the meetings pages;
    None keeps what the database gave). ``query``: the page's query string, for the sort links.
    """

    columns: ClassVar[tuple[Column, ...]] = ()
    # The ``<tr>``'s attributes: a ``format_html`` pattern over the row's fields.
    tr: ClassVar[str] = ""
    # Fields that are a link to a row's page: field -> (URL name, the field of the URL's key),
    # reversed once (per URL configuration and script prefix) with a placeholder key.
    links: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # Sort keys whose first click sorts newest first.
    descending_first: ClassVar[frozenset[str]] = frozenset()

    tz: tzinfo | None = None
    query: QueryDict | None = None
    current_sort: str = ""
    _page_columns: list[Column] = field(init=False, repr=False)
    _zone: tzinfo = field(init=False, repr=False)
    _variants: list[Callable[[Any], Hashable]] = field(init=False, repr=False)
    _pieces: dict[str, str] = field(init=False, repr=False)
    _formats: dict[tuple, _RowFormat] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._zone = timezone.get_current_timezone()  # a lookup in the request's context
        self._page_columns = [c for c in self.columns if c.on_page]
        self._variants = [c.variant for c in self._page_columns if c.variant is not None]
        pieces = {}
        if self.links:
            prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
            pieces = {
                name: _link_pattern(url_name, key, prefix, urlconf)
                for name, (url_name, key) in self.links.items()
            }
        for name, value in self.constants().items():
            pieces[name] = _literal(str(conditional_escape(value)))
        self._pieces = pieces
        # The patterns are shared by the tables of a class with the same links and constants
        # (the next page's tables): made once, not per page.
        self._formats = _FORMATS.setdefault((type(self), tuple(pieces.items())), {})
        if len(_FORMATS) > 1000:  # a bound on distinct constants (the way back of a row action)
            _FORMATS.clear()

    def _format(self, variants: tuple) -> _RowFormat:
        """The pattern of a row whose columns' variants are ``variants`` (every page column's
        ``<td>``, the links and constants written in) and what picks its fields; made once
        per table and variants."""
        chosen = iter(variants)
        tds = []
        for column in self._page_columns:
            pattern = column.pattern(next(chosen) if column.variant is not None else None)
            tds.append(f'<td class="{escape(column.td)}">' if column.td else "<td>")
            tds.append(f"{pattern}</td>")
        row_format = _RowFormat(_fill(f"<tr{self.tr}>{''.join(tds)}</tr>\n", self._pieces))
        self._formats[variants] = row_format
        return row_format

    # --- the page ---------------------------------------------------------------------------

    @classmethod
    def page_headers(cls) -> list[str]:
        return [c.header for c in cls.columns if c.on_page]

    def fields(self, row) -> dict[str, Any]:
        """The values the row's patterns name (each escaped unless it is safe HTML already)."""
        raise NotImplementedError

    def constants(self) -> dict[str, Any]:
        """Fields the same in every row (where a row action comes back to, say): escaped and
        written into the patterns once per table."""
        return {}

    def local(self, value: datetime) -> datetime:
        """``value`` in the active time zone (the viewer's), as the template filters show it."""
        return value.astimezone(self._zone) if value.tzinfo is not None else value

    def day_time(self, value: datetime | None) -> str:
        """``2026-03-02 14:05`` in the active time zone; blank for no time."""
        if not value:
            return ""
        local = self.local(value)
        # The naive date's and time's isoformat: 0.4 µs, the aware datetime's 0.7 (its offset
        # looked up again), strftime 1.4.
        return f"{local.date().isoformat()} {local.time().isoformat('minutes')}"

    def clock(self, value: datetime | None) -> str:
        """``14:05`` in the active time zone; blank for no time."""
        return self.local(value).time().isoformat("minutes") if value else ""

    def row_html(self, row) -> SafeString:
        """One row's ``<tr>`` (the htmx answer to a row action)."""
        return self.rows_html((row,))

    def rows_html(self, rows: Iterable) -> SafeString:
        """The ``<tr>`` of every row, for the table's ``<tbody>``: a ``format_html`` of the
        patterns and fields of every :data:`ROWS_PER_FORMAT` rows, each field escaped once per
        row (:func:`escaped`) however often its pattern names it.

        Not one ``format_html`` for the whole page: every escaped field is a ``SafeString``,
        which (as any instance of a class written in Python) the garbage collector counts, and
        a page's 250–900 of them alive at once set off a collection (0.1–0.2 ms) on most
        attendees pages of bench/page_times.py (0.9 a request, 0.5 in chunks of ten rows,
        counted with ``gc.callbacks``); a few rows' worth at a time are freed before they do."""
        pieces: list[str] = []
        patterns: list[str] = []
        values: list = []
        formats, variants, fields = self._formats, self._variants, self.fields
        for row in rows:
            key = tuple([variant(row) for variant in variants]) if variants else ()
            row_format = formats.get(key) or self._format(key)
            patterns.append(row_format.at(len(values)))
            values += row_format.pick(fields(row))
            if len(patterns) == ROWS_PER_FORMAT:
                pieces.append(format_html("".join(patterns), *escaped_all(values)))
                patterns.clear()
                values.clear()
        if patterns:
            pieces.append(format_html("".join(patterns), *escaped_all(values)))
        return SafeString("".join(pieces))  # each piece a format_html

    def head_html(self) -> SafeString:
        """The ``<th>`` of every page column, with its sort links when it has any; made once
        per table class when it has no sort links (they alone depend on the request)."""
        static = self.query is None or not any(c.sort for c in self._page_columns)
        head = _HEADS.get(type(self)) if static else None
        if head is None:
            head = format_html_join("", "<th>{}</th>", ((self._th(c),) for c in self._page_columns))
            if static:
                _HEADS[type(self)] = head
        return head

    def _th(self, column: Column) -> SafeString | str:
        if column.head is not None:
            return column.head
        if not column.sort or self.query is None:
            return column.header
        return format_html_join(
            " / ",
            '<a href="{}">{}</a>',
            ((self.sort_url(key), label) for label, key in column.sort),
        )

    def sort_url(self, key: str) -> str:
        """The query string the heading of ``key`` links to: sort by it (click again: reverse),
        back to the first page."""
        first = f"-{key}" if key in self.descending_first else key
        second = key if key in self.descending_first else f"-{key}"
        params = self.query.copy() if self.query is not None else QueryDict(mutable=True)
        params["sort"] = second if self.current_sort == first else first
        params.pop("page", None)
        return f"?{params.urlencode()}"

    # --- the export -------------------------------------------------------------------------

    @classmethod
    def export_headers(cls) -> list[str]:
        return [e.header for c in cls.columns for e in c.exports]

    def export_row(self, row) -> list:
        """A row's typed values, in the export's column order (datetimes in ``tz``)."""
        values = [e.value(row) for c in self.columns for e in c.exports]
        if self.tz is None:
            return values
        return [
            v.astimezone(self.tz) if isinstance(v, datetime) and v.tzinfo is not None else v
            for v in values
        ]

    def export_rows(self, rows: Iterable) -> Iterator[list]:
        for row in rows:
            yield self.export_row(row)

    def export_response(
        self, kind: ExportKind, stem: str, rows: Iterable, *, sheet_name: str | None = None
    ) -> StreamingHttpResponse | FileResponse:
        """The download of ``rows`` as ``kind`` ("csv", streamed, or "xlsx"), named
        ``<stem>.<kind>``, through :func:`portal.export.export_response`.

        The one place an export is written: every list's ``?export=`` comes here. Datetimes of
        a zoned table are in the viewer's zone (the CSV's to the second).
        """
        return export_response(
            kind,
            stem,
            self.export_headers(),
            self.export_rows(rows),
            tz=self.tz,
            sheet_name=sheet_name,
            csv_timespec="auto" if self.tz is None else "seconds",
        )
