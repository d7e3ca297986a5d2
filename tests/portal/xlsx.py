"""Reading an ``.xlsx`` download in tests, the way a spreadsheet user would (``openpyxl``)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def xlsx_bytes(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.xlsx"')
    # Read to the end, the test client closes the response (and with it the temporary file).
    return b"".join(response.streaming_content)


def xlsx_sheet(response):
    """The (only) worksheet of the downloaded workbook."""
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(response)))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


def sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def column(sheet, title: str) -> list:
    """The values under the header ``title`` (the header row excluded)."""
    rows = sheet_rows(sheet)
    index = rows[0].index(title)
    return [row[index] for row in rows[1:]]


def same_as_csv(csv_text: str, value) -> bool:
    """Whether an Excel cell holds what the CSV shows as ``csv_text``: a datetime the same
    wall-clock time (the CSV's ISO text carries the viewer's offset, Excel has no zones), text
    the same text (the CSV adds an apostrophe before a formula-looking one), a blank an empty
    string, a number or a boolean the same value."""
    if isinstance(value, datetime):
        shown = datetime.fromisoformat(csv_text).replace(tzinfo=None)
        return abs(shown - value) < timedelta(milliseconds=1)
    if value is None:
        return csv_text == ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return csv_text == text


def assert_same_rows(csv_rows: list[list[str]], sheet) -> None:
    rows = sheet_rows(sheet)
    assert rows[0] == csv_rows[0], "same header"
    assert len(rows) == len(csv_rows), "same number of rows"
    for line, (text_row, cells) in enumerate(zip(csv_rows[1:], rows[1:], strict=True), start=2):
        assert len(cells) == len(text_row), f"row {line}: same number of columns"
        for text, value in zip(text_row, cells, strict=True):
            assert same_as_csv(text, value), f"row {line}: CSV {text!r} vs Excel {value!r}"
