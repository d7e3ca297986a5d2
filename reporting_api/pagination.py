"""Cursor (keyset) pagination: DRF's ``CursorPagination``.

Each page is ``WHERE start_time < <last row's> ORDER BY start_time DESC, id DESC LIMIT n`` read
from the ``(start_time, id)`` index, so the thousandth page costs what the first does (no
OFFSET, no COUNT) and rows synced while a BI tool walks the pages neither repeat nor vanish.
The cursor is opaque; clients follow ``next`` until it is null. Rows sharing a start time are
told apart by the cursor's offset within the tie (DRF's method), so each row comes exactly once.
"""

from __future__ import annotations

import re

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from .forms import bad_parameters

MAX_PAGE_SIZE = 1000
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class KeysetPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-start_time", "-id")
    invalid_cursor_message = (
        "This cursor is damaged or from another list: start from the first page."
    )

    cursor_query_description = "Opaque: take it from the `next` link of the previous page."
    page_size_query_description = "Rows per page (default 100)."

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["pattern"] = BASE64.pattern
        return parameters

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise bad_parameters(
                {"page_size": [f"Give a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def decode_cursor(self, request):
        # DRF answers 404 for a damaged cursor, and a well-formed one holding a position that
        # is no value of the ordering field would fail in the database (500): both are bad
        # input, so 400.
        raw = request.query_params.get(self.cursor_query_param)
        try:
            if raw is not None and not BASE64.fullmatch(raw):
                raise NotFound  # b64decode would skip the stray characters and read on
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = False
        if cursor is False or (
            cursor is not None
            and cursor.position is not None
            and not self.valid_position(cursor.position)
        ):
            raise bad_parameters({"cursor": [self.invalid_cursor_message]})
        return cursor

    def valid_position(self, position: str) -> bool:
        try:
            moment = parse_datetime(position)
        except ValueError:
            return False
        return moment is not None and moment.tzinfo is not None


class AttendeePagination(KeysetPagination):
    ordering = ("-join_time", "-id")


class OrganizerPagination(KeysetPagination):
    ordering = ("id",)

    def valid_position(self, position: str) -> bool:
        return position.isdigit() and len(position) < 19
