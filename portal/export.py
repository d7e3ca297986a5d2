"""The one CSV export mechanism every table uses: ``?export=csv`` streams what the filters show.

Rows are written as they come (a year of attendees never sits in memory), and cells that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) are
neutralised with a leading apostrophe.

An export whose filters are not valid (a date out of range, a group a Manager may not use)
exports nothing and answers :func:`export_refused` on every page: a 400 whose short plain text
names the bad filters, never the HTML page in place of the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("export") == "csv"


def export_refused(errors: Mapping[str, Iterable[str]]) -> HttpResponseBadRequest:
    """The answer to ``?export=csv`` with invalid filters: ``errors`` is the filter form's
    ``errors``, each named by its query-string parameter."""
    details = "; ".join(
        f"{'filters' if name == NON_FIELD_ERRORS else name}: {' '.join(messages)}"
        for name, messages in errors.items()
    )
    return HttpResponseBadRequest(
        f"The filters are not valid, so nothing was exported: {details}",
        content_type="text/plain; charset=utf-8",
    )


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
