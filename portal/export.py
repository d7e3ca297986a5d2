"""The one export mechanism every table uses: ``?export=csv`` or ``?export=xlsx`` downloads what
the filters show.

A view asks :func:`wanted_export` which format (if any) the request wants and hands
:func:`export_response` the header and the rows as typed values (datetimes, ints, booleans,
text), never as pre-formatted strings: each format writes them its own way.

CSV is streamed as the rows come from the database (a year of attendees never sits in memory).
Datetimes are ISO 8601 in the viewer's time zone; cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading apostrophe (:func:`safe_cell`).

Excel (``.xlsx``) is written by ``xlsxwriter`` in ``constant_memory`` mode: each row goes to a
temporary file as soon as the next one starts, so memory stays flat whatever the row count
(1M attendee rows: see ``bench/xlsx_export.py`` and the README's Performance section). An xlsx
is a zip that cannot be sent before its last row is written, so the workbook is assembled in an
anonymous temporary file (``TMPDIR``) and streamed with ``FileResponse``, which deletes it when
the download ends. Cells are typed: datetimes are Excel dates in the viewer's time zone (Excel
has no zones, so they are written tz-naive with a date format), whole numbers are numbers,
booleans are booleans, text is text. Text is always written as a string, never as a formula,
and text that *looks* like a formula also gets Excel's "quote prefix" style, so it stays text
even when someone edits the cell: the same protection as the CSV's apostrophe without changing
what the cell shows. The header row is bold, frozen and filterable.

An export whose filters are not valid (a date out of range, a group a Manager may not use)
exports nothing and answers :func:`export_refused` on every page, in either format: a 400 whose
short plain text names the bad filters, never the HTML page in place of the file.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Literal

import xlsxwriter
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone

ExportKind = Literal["csv", "xlsx"]
EXPORT_KINDS: tuple[ExportKind, ...] = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Excel holds numbers as doubles: a whole number past 2**53 would lose digits, so such an id is
# written as text. Below it, the "0" format shows every digit (General switches to 1.2E+11).
EXACT_INT_LIMIT = 2**53
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
# Excel's dates start in 1900; an earlier one is written as ISO text rather than as ####.
FIRST_EXCEL_YEAR = 1900
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Column widths come from the header and the first rows (constant memory has no autofit).
WIDTH_SAMPLE_ROWS = 200
WIDTH_MIN, WIDTH_MAX = 8, 60


def wanted_export(request: HttpRequest) -> ExportKind | None:
    """The export format the request asks for (``?export=csv`` or ``?export=xlsx``), or None
    for the page itself (an unknown ``export`` value shows the page, as before)."""
    value = request.GET.get("export")
    return value if value in EXPORT_KINDS else None  # type: ignore[return-value]


def export_refused(errors: Mapping[str, Iterable[str]]) -> HttpResponseBadRequest:
    """The answer to an export with invalid filters (either format): ``errors`` is the filter
    form's ``errors``, each named by its query-string parameter."""
    details = "; ".join(
        f"{'filters' if name == NON_FIELD_ERRORS else name}: {' '.join(messages)}"
        for name, messages in errors.items()
    )
    return HttpResponseBadRequest(
        f"The filters are not valid, so nothing was exported: {details}",
        content_type="text/plain; charset=utf-8",
    )


def export_response(
    kind: ExportKind,
    filename_stem: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    tz: tzinfo | None = None,
    sheet_name: str | None = None,
    csv_timespec: str = "auto",
) -> StreamingHttpResponse | FileResponse:
    """The download of ``rows`` under ``header`` as ``<filename_stem>.<kind>``.

    ``tz`` is the viewer's time zone for datetimes (default: the zone active now, in the view:
    a streamed CSV is written after the view has returned). ``csv_timespec`` is the CSV's
    precision of times (``isoformat``'s; the Excel cell always holds the exact time, shown to
    the second). ``sheet_name`` names the Excel sheet (default: from the file name).
    """
    zone = tz or timezone.get_current_timezone()
    if kind == "xlsx":
        return xlsx_response(
            f"{filename_stem}.xlsx",
            header,
            rows,
            tz=zone,
            sheet_name=sheet_name or filename_stem,
        )
    if kind == "csv":
        return csv_response(f"{filename_stem}.csv", header, _csv_times(rows, zone, csv_timespec))
    raise ValueError(f"Unknown export format: {kind!r}")


# --- CSV ------------------------------------------------------------------------------------


def safe_cell(value) -> str:
    """A cell's text, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _csv_times(rows: Iterable[Sequence], tz: tzinfo, timespec: str) -> Iterator[Sequence]:
    """``rows`` with aware datetimes as ISO 8601 text in ``tz``."""
    for row in rows:
        yield [
            value.astimezone(tz).isoformat(timespec=timespec)
            if isinstance(value, datetime) and timezone.is_aware(value)
            else value
            for value in row
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)  # BOM so Excel reads UTF-8
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` under ``header``."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Excel ----------------------------------------------------------------------------------


def sheet_title(name: str) -> str:
    """``name`` as a valid Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, and
    not starting or ending with an apostrophe."""
    title = SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'").strip()
    return title[:SHEET_NAME_MAX].strip() or "Export"


EXCEL_MAX_DATA_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header


class _Sheet:
    """One worksheet written row after row (``constant_memory``: never back to an earlier row)."""

    def __init__(self, workbook, *, name: str, tz: tzinfo, columns: int) -> None:
        self.sheet = workbook.add_worksheet(sheet_title(name))
        self.tz = tz
        self.header_format = workbook.add_format({"bold": True})
        self.text_format = workbook.add_format({"quote_prefix": True})
        self.int_format = workbook.add_format({"num_format": "0"})
        self.datetime_format = workbook.add_format({"num_format": DATETIME_FORMAT})
        self.date_format = workbook.add_format({"num_format": DATE_FORMAT})
        self.widths = [WIDTH_MIN] * columns

    def header(self, header: Sequence[str]) -> None:
        for col, title in enumerate(header):
            self._text(0, col, str(title), self.header_format)
            self._measure(col, len(str(title)) + 3)  # room for the filter button
        self.sheet.freeze_panes(1, 0)

    def row(self, row: int, values: Sequence, *, measure: bool) -> None:
        for col, value in enumerate(values):
            width = self.cell(row, col, value)
            if measure and width:
                self._measure(col, width)

    def finish(self, rows: int, columns: int) -> None:
        for col, width in enumerate(self.widths):
            self.sheet.set_column(col, col, width + 1)
        if columns:
            self.sheet.autofilter(0, 0, rows, columns - 1)

    def _measure(self, col: int, width: int) -> None:
        if col < len(self.widths):
            self.widths[col] = min(WIDTH_MAX, max(self.widths[col], width))

    def _text(self, row: int, col: int, text: str, cell_format=None) -> int:
        if text.startswith(FORMULA_PREFIXES):
            cell_format = cell_format or self.text_format
        self.sheet.write_string(row, col, text, cell_format)
        return len(text)

    def cell(self, row: int, col: int, value) -> int:
        """Write one typed cell; its width in characters (0 for a blank)."""
        sheet = self.sheet
        if value is None:
            return 0
        if isinstance(value, str):
            return self._text(row, col, value) if value else 0
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
            return 5
        if isinstance(value, int):
            if -EXACT_INT_LIMIT < value < EXACT_INT_LIMIT:
                sheet.write_number(row, col, value, self.int_format)
                return len(str(value))
            return self._text(row, col, str(value))
        if isinstance(value, float | Decimal):
            sheet.write_number(row, col, float(value))
            return min(len(str(value)), 12)
        if isinstance(value, datetime):
            if timezone.is_aware(value):
                value = value.astimezone(self.tz).replace(tzinfo=None)
            if value.year < FIRST_EXCEL_YEAR:
                return self._text(row, col, value.isoformat(sep=" "))
            sheet.write_datetime(row, col, value, self.datetime_format)
            return len(DATETIME_FORMAT)
        if isinstance(value, date):
            if value.year < FIRST_EXCEL_YEAR:
                return self._text(row, col, value.isoformat())
            sheet.write_datetime(row, col, value, self.date_format)
            return len(DATE_FORMAT)
        return self._text(row, col, str(value))


def _nth_sheet_name(name: str, number: int) -> str:
    """The name of the ``number``-th sheet of an export (the first keeps ``name``)."""
    if number == 1:
        return name
    suffix = f" ({number})"
    return sheet_title(name)[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix


def xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    tz: tzinfo,
    sheet_name: str,
    rows_per_sheet: int = EXCEL_MAX_DATA_ROWS,
):
    """An anonymous temporary file (open, at its start) holding the workbook of ``rows``.

    A sheet holds at most ``rows_per_sheet`` rows under its header (Excel's limit: 1,048,576
    rows in all); the rows after them go on to a next sheet, "<name> (2)", with the same
    header, so nothing is dropped (xlsxwriter silently ignores a cell past the limit)."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    try:
        workbook = xlsxwriter.Workbook(
            output,
            {
                "constant_memory": True,
                # Text is text: never turned into a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        number = 1
        sheet = _Sheet(workbook, name=sheet_name, tz=tz, columns=len(header))
        sheet.header(header)
        last = 0
        for values in rows:
            if last == rows_per_sheet:
                sheet.finish(last, len(header))
                number += 1
                sheet = _Sheet(
                    workbook, name=_nth_sheet_name(sheet_name, number), tz=tz, columns=len(header)
                )
                sheet.header(header)
                last = 0
            last += 1
            sheet.row(last, values, measure=last <= WIDTH_SAMPLE_ROWS)
        sheet.finish(last, len(header))
        workbook.close()
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return output


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    tz: tzinfo,
    sheet_name: str,
) -> FileResponse:
    """An Excel download of ``rows`` under ``header`` (written first, then streamed)."""
    output = xlsx_file(header, rows, tz=tz, sheet_name=sheet_name)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
