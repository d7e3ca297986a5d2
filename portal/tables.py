"""A table declared once: its columns (header, sort key, HTML cell, export values) in one place
that both the page and its exports (``?export=csv``, ``?export=xlsx``) read.

A :class:`Table` subclass lists :class:`Column` objects in order. A column shown on the page
has a ``cell`` (the HTML inside its ``<td>``, built with :func:`~django.utils.html.format_html`,
which escapes every value); a column in the export has one or more :class:`Export` values
(a heading and a *typed* value: datetime, int, str… never a pre-formatted string, so the
same values can fill a CSV file or a spreadsheet). A column may be on the page only (the
check box, the actions), in the export only (the organizer key), or both; the page's columns
and the export's columns keep the declared order, so the two cannot disagree.

Rows are written in Python, not with a template per row: Django's template engine spent about
0.7 ms per organizers row (five links, three dates, a badge, an include; bench/ measured a cold
organizers list at 6% of a trivial view). A page's rows are one ``format_html`` of the cells.

django-tables2 or our own? Measured in-process (same data, same process, interleaved; the
machine's two cores were shared with other work, so the best of 20–30 runs is quoted):

- the organizers table's 500 rows (``tests/bench/time_lists.py``'s data): the f-string rows
  this module replaced (``organizers/rows.py``) 3.3 ms; this declaration 12.6 ms; django-tables2
  2.8 (a ``Table`` with the same eight columns, each ``render_*`` returning the same cells, its
  ``table.html`` template) 194 ms: fifteen times ours, as each cell goes through the template
  engine and a ``BoundColumn``. So the portal keeps this small declaration, and no new package.
- a page of 50 rows, before → after: organizers 0.65 → 1.5 ms, a meeting's attendees
  0.25 → 0.70 ms. The difference is ``format_html``'s escaping (``conditional_escape`` per
  value, 0.85 µs, where ``html.escape`` took 0.12 µs); :meth:`Table.safe` escapes a value
  repeated on a page (a date, a group, "—") once, and a page's rows are one ``format_html``.
- whole pages (``tests/bench/time_lists.py``: test client, page cache off, 500 organizers;
  best of 50, the code before and after run one after the other): organizers list 10.3 →
  11.8 ms, a meeting's attendees 6.5 → 7.0 ms, the dashboard 19.2 → 22.0 ms (its organizer
  filter's 500 options through ``format_html`` too, and django-filter's form), the attendee
  report 16.6 → 14.0 ms, the audit log 5.6 → 5.8 ms. That is the price of HTML that cannot be
  left unescaped by a missed call; the page cache (``portal.page_cache``) serves repeat views.

Exports go through one method, :meth:`Table.export_response`, which hands the typed values to
:func:`portal.export.export_response` (CSV streamed, or Excel in constant memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeData, SafeString

from .export import ExportKind, export_response

Cell = Callable[[Any, Any], Any]  # (table, row) -> HTML (SafeString) or text (escaped)
Value = Callable[[Any], Any]  # row -> a typed value


@dataclass(frozen=True)
class Export:
    """One column of the export: its heading and how to read a row's typed value."""

    header: str
    value: Value


@dataclass(frozen=True)
class Column:
    """One column of a table.

    - ``header``: the page's heading (blank for a check box column);
    - ``cell``: ``cell(table, row)``, what goes in the ``<td>``: text (escaped) or HTML built
      with ``format_html``; None for a column of the export only;
    - ``html``: the ``<td>``'s content as a ``format_html`` pattern; with more than one ``{}``,
      ``cell`` gives a tuple of that many values (escaped like any other);
    - ``exports``: the export's columns this column gives (none: the page only);
    - ``sort``: the ``?sort=`` keys the heading links to, as ``(label, key)`` pairs joined by
      " / " (one pair whose label is the header for a plain sortable heading);
    - ``td``: the ``<td>``'s class, if any;
    - ``head``: HTML in place of the heading's text (a "select all" check box).
    """

    header: str = ""
    cell: Cell | None = None
    html: str = "{}"
    exports: tuple[Export, ...] = ()
    sort: tuple[tuple[str, str], ...] = ()
    td: str = ""
    head: SafeString | None = None

    @property
    def on_page(self) -> bool:
        return self.cell is not None


def sortable(header: str, key: str) -> tuple[tuple[str, str], ...]:
    """The ``sort`` of a heading that is one link."""
    return ((header, key),)


@dataclass
class Table:
    """A declared table; a subclass sets ``columns`` (and ``row_attrs`` for the ``<tr>``).

    ``tz``: the zone the export's datetimes are given in (the viewer's, on the meetings pages;
    None keeps what the database gave). ``query``: the page's query string, for the sort links.
    """

    columns: ClassVar[tuple[Column, ...]] = ()
    # The ``<tr>``'s attributes as a ``format_html`` pattern, filled by :meth:`row_values`.
    tr: ClassVar[str] = ""
    # Sort keys whose first click sorts newest first.
    descending_first: ClassVar[frozenset[str]] = frozenset()

    tz: tzinfo | None = None
    query: QueryDict | None = None
    current_sort: str = ""
    _page_columns: list[Column] = field(init=False, repr=False)
    _cells: list[tuple[Cell, bool]] = field(init=False, repr=False)
    _row_format: str = field(init=False, repr=False)
    _escaped: dict = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._escaped = {}
        # A row is one ``format_html``: the pattern of every cell joined once per table.
        self._page_columns = [c for c in self.columns if c.on_page]
        self._cells = [(c.cell, c.html.count("{}") > 1) for c in self._page_columns]
        tds = "".join(
            f'<td class="{escape(c.td)}">{c.html}</td>' if c.td else f"<td>{c.html}</td>"
            for c in self._page_columns
        )
        self._row_format = f"<tr{self.tr}>{tds}</tr>\n"

    # --- the page ---------------------------------------------------------------------------

    @classmethod
    def page_headers(cls) -> list[str]:
        return [c.header for c in cls.columns if c.on_page]

    def row_values(self, row) -> tuple:
        """The values of :attr:`tr`'s ``{}``, none by default."""
        return ()

    def safe(self, value) -> SafeString:
        """``value`` escaped by ``conditional_escape``, once per table: a page repeats most of
        its values (dates, durations, groups, "—"), and escaping, not building, was the cost
        of a row (see above)."""
        if isinstance(value, SafeData):
            return value
        try:
            escaped = self._escaped.get(value)
        except TypeError:  # not hashable
            return conditional_escape(value)
        if escaped is None:
            escaped = self._escaped[value] = conditional_escape(value)
        return escaped

    def _values(self, row) -> list:
        values = list(self.row_values(row))
        for cell, several in self._cells:
            if several:
                values.extend(cell(self, row))
            else:
                values.append(cell(self, row))
        return values

    def row_html(self, row) -> SafeString:
        """One row's ``<tr>``: a ``format_html`` of the row's values, each escaped (through
        :meth:`safe`) unless it is already safe HTML."""
        return format_html(self._row_format, *map(self.safe, self._values(row)))

    def rows_html(self, rows: Iterable) -> SafeString:
        """The ``<tr>`` of every row, for the table's ``<tbody>``: one ``format_html`` of the
        rows' pattern and every row's values."""
        values = []
        count = 0
        for row in rows:
            values += map(self.safe, self._values(row))
            count += 1
        return format_html(self._row_format * count, *values) if count else SafeString("")

    def head_html(self) -> SafeString:
        """The ``<th>`` of every page column, with its sort links when it has any."""
        return format_html_join("", "<th>{}</th>", ((self._th(c),) for c in self._page_columns))

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
