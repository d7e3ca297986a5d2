"""The Excel writer of :mod:`portal.export` on its own: what a spreadsheet user finds in the file.

Typed cells (dates as dates in the viewer's zone, numbers as numbers, booleans as booleans),
a bold frozen header with a filter, text that looks like a formula kept as text, and ids too
long for Excel's numbers kept as text rather than rounded.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
import zoneinfo
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.test import RequestFactory

from portal.export import export_response, sheet_title, wanted_export, xlsx_file
from tests.portal.xlsx import sheet_rows, xlsx_sheet

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
HEADER = ["name", "start", "day", "minutes", "active", "ratio", "key"]
WHEN = datetime(2026, 3, 4, 14, 0, 30, tzinfo=UTC)


def _workbook(header, rows, *, tz=PARIS, sheet_name="Meetings"):
    output = xlsx_file(header, rows, tz=tz, sheet_name=sheet_name)
    with output:
        data = output.read()
    return data, openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_cells_are_typed_and_times_are_in_the_viewers_zone():
    rows = [["Ada", WHEN, date(2026, 3, 4), 90, True, Decimal("2.5"), 12345678901234]]
    _data, sheet = _workbook(HEADER, rows)
    name, start, day, minutes, active, ratio, key = sheet_rows(sheet)[1]
    assert name == "Ada"
    assert start == datetime(2026, 3, 4, 15, 0, 30)  # 14:00:30 UTC is 15:00:30 in Paris
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert day == datetime(2026, 3, 4) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert minutes == 90 and sheet["D2"].data_type == "n"
    assert active is True and sheet["E2"].data_type == "b"
    assert ratio == 2.5
    # Every digit of a 14-digit key shown (Excel's General format would show 1.23457E+13).
    assert key == 12345678901234 and sheet["G2"].number_format == "0"


def test_header_is_bold_frozen_and_filterable_and_columns_are_sized():
    rows = [["A rather long organizer name, longer than the header", WHEN, None, 1, False]]
    _data, sheet = _workbook(HEADER[:5], rows, sheet_name="Meetings")
    assert sheet.title == "Meetings"
    assert [cell.value for cell in sheet[1]] == HEADER[:5]
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E2"
    assert sheet.column_dimensions["A"].width > len(rows[0][0])
    assert sheet.column_dimensions["B"].width >= len("2026-03-04 15:00:30")


def test_text_that_looks_like_a_formula_stays_text():
    names = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1)", "\tx", "ok"]
    data, sheet = _workbook(["name"], [[n] for n in names])
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == names
    assert all(c.data_type == "s" for c in cells)
    # Excel's quote prefix: still text when someone edits the cell and presses Enter.
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False]
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml


def test_numbers_excel_cannot_hold_exactly_are_written_as_text():
    too_long = 2**53 + 1  # 9007199254740993: a double would round it
    _data, sheet = _workbook(["key"], [[too_long], [2**53 - 1]])
    assert sheet["A2"].value == str(too_long) and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == 2**53 - 1


def test_blanks_stay_blank_and_dates_before_excels_first_year_are_text():
    _data, sheet = _workbook(
        ["a", "b", "c"], [[None, "", datetime(1899, 12, 31, 23, 0, tzinfo=UTC)]], tz=UTC
    )
    assert sheet_rows(sheet)[1] == [None, None, "1899-12-31 23:00:00"]


def test_an_empty_export_has_its_header():
    _data, sheet = _workbook(HEADER, iter(()))
    assert sheet_rows(sheet) == [HEADER]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("attendees-20260302-20260308", "attendees-20260302-20260308"),
        ("Report: a/b [x]?", "Report  a b  x"),
        ("A" * 40, "A" * 31),
        ("'quoted'", "quoted"),
        ("///", "Export"),
    ],
)
def test_sheet_names_are_valid_excel_sheet_names(name, title):
    assert sheet_title(name) == title


def test_export_response_names_the_file_and_answers_either_format():
    rows = [["Ada", WHEN]]
    csv_response = export_response("csv", "people", ["name", "when"], rows, tz=PARIS)
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert csv_response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert body.splitlines() == ["name,when", "Ada,2026-03-04T15:00:30+01:00"]
    sheet = xlsx_sheet(export_response("xlsx", "people", ["name", "when"], rows, tz=PARIS))
    assert sheet_rows(sheet) == [["name", "when"], ["Ada", datetime(2026, 3, 4, 15, 0, 30)]]
    with pytest.raises(ValueError, match="Unknown export format"):
        export_response("pdf", "people", ["name"], [])


@pytest.mark.parametrize(
    ("query", "kind"),
    [("export=csv", "csv"), ("export=xlsx", "xlsx"), ("export=pdf", None), ("", None)],
)
def test_wanted_export_reads_the_query_string(query, kind):
    assert wanted_export(RequestFactory().get(f"/x/?{query}")) == kind


def _peak_bytes_writing(rows: int) -> int:
    def generated():
        for i in range(rows):
            yield [f"Attendee {i}", WHEN, date(2026, 3, 4), i, i % 2 == 0, f"p{i}@ex.com"]

    tracemalloc.start()
    try:
        xlsx_file(HEADER[:6], generated(), tz=PARIS, sheet_name="Big").close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_the_row_count():
    """Rows go to disk as they are written (constant_memory): 15 times the rows, about the
    same peak (a workbook kept in memory grows by some 10 MB here)."""
    small, big = _peak_bytes_writing(1_000), _peak_bytes_writing(15_000)
    assert big < small + 2_000_000, (small, big)


def test_rows_past_a_sheets_limit_go_on_to_a_next_sheet_with_the_header():
    # Excel holds 1,048,576 rows a sheet; xlsxwriter would silently drop the ones past it.
    rows = [[f"person {n}", n] for n in range(7)]
    output = xlsx_file(
        ["name", "n"],
        rows,
        tz=PARIS,
        sheet_name="A very long attendee report name",
        rows_per_sheet=3,
    )
    with output:
        book = openpyxl.load_workbook(io.BytesIO(output.read()))
    assert book.sheetnames == [
        "A very long attendee report nam",
        "A very long attendee report (2)",
        "A very long attendee report (3)",
    ]
    read = []
    for sheet in book.worksheets:
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == ["name", "n"]
        assert sheet.freeze_panes == "A2"
        read += values[1:]
    assert read == rows
