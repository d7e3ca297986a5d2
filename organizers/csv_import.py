"""Reading an uploaded CSV of organizers to invite, the way spreadsheets really write it.

Accepts UTF-8 with or without a byte-order mark (and UTF-16 with one, as Excel's "Unicode
text" writes), comma, semicolon or tab as the separator (found from the header line), and
header names in any case, with spaces, underscores or hyphens ("First Name", "first_name").
Refuses, with a message a person can act on, what it cannot read: a binary or non-text file,
a file over 1 MB or 5,000 rows, a file missing required columns.

The encoding is never guessed. Bytes that are not UTF-8 (a Shift-JIS file, a Latin-1 "ë" in
an otherwise UTF-8 file) decode as *something* in Windows-1252 ("ZoÃ« BrontÃ«"), and those
names would be previewed as valid and sent to GoTo. So a file that is not UTF-8 is refused,
unless the importer says it is Windows-1252 (older Excel's "CSV (comma delimited)"); even then
a file holding UTF-8 sequences is refused, since reading them as Windows-1252 garbles them.

This module only reads and checks: it never writes to the database or calls the API.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
PRODUCT_TYPES = ("G2M", "G2W", "G2T", "OPENVOICE")
DELIMITERS = (",", ";", "\t")
UTF8 = "utf-8"
WINDOWS_1252 = "windows-1252"
ENCODINGS = (UTF8, WINDOWS_1252)
# A multi-byte UTF-8 character: in a Windows-1252 file, the sign of text saved as UTF-8
# ("Ã«" is "ë" in UTF-8), which would be read garbled.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

# Canonical column -> the header names (normalised) that mean it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "e mail address", "organizer email", "mail"),
    "first_name": ("first name", "firstname", "given name", "forename", "first"),
    "last_name": ("last name", "lastname", "surname", "family name", "last"),
    "group": ("group", "group name", "groupname", "group key", "groupkey"),
    "product_type": ("product type", "producttype", "product", "products", "license", "licence"),
}
COLUMN_LABELS = {
    "email": "email",
    "first_name": "first name",
    "last_name": "last name",
    "group": "group",
    "product_type": "product type",
}
_HEADER_LOOKUP = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}


class CsvImportError(Exception):
    """The whole file cannot be taken; ``message`` says why, in words for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class CsvRow:
    line_number: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    group: str = ""
    product_type: str = ""
    error: str = ""
    group_id: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.error


@dataclass
class ParsedCsv:
    rows: list[CsvRow]
    delimiter: str
    encoding: str
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if not row.is_valid]


def normalise_header(name: str) -> str:
    """ "First_Name " -> "first name"; "E-Mail" -> "e mail"."""
    return " ".join(re.sub(r"[\s_\-.]+", " ", name.strip().lower()).split())


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_upload(data: bytes, encoding: str = UTF8) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an uploaded file, or raise :class:`CsvImportError`.

    ``encoding`` is what the importer said the file is (:data:`UTF8`, the default, or
    :data:`WINDOWS_1252`); a UTF-16 byte-order mark speaks for itself.
    """
    if encoding not in ENCODINGS:
        raise CsvImportError("Choose the file's encoding: UTF-8 or Windows-1252.")
    if not data or not data.strip():
        raise CsvImportError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise CsvImportError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is 1 MB. "
            "Split it into smaller files."
        )
    if data.startswith(b"PK\x03\x04"):
        raise CsvImportError(
            "This is an Excel workbook or another zip file, not a CSV. In your spreadsheet, "
            "use “Save as” → “CSV UTF-8 (comma delimited)” and upload that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise CsvImportError("The file is not readable text (bad UTF-16).") from exc
    if b"\x00" in data:
        raise CsvImportError("This is not a text file. Upload a CSV file (text, UTF-8).")
    text = _decode_windows_1252(data) if encoding == WINDOWS_1252 else _decode_utf8(data)
    if re.search(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", text):
        raise CsvImportError("This is not a text file. Upload a CSV file (text, UTF-8).")
    return text, encoding


def _decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            f"The file is not UTF-8 text (line {_line_of(data, exc.start)} has bytes that are "
            "not UTF-8), so nothing was read. In your spreadsheet, use “Save as” → “CSV UTF-8 "
            "(comma delimited)” and upload that file. If it comes from an older Excel on "
            "Windows (“CSV (comma delimited)”), you may instead choose the encoding "
            "Windows-1252."
        ) from exc


def _decode_windows_1252(data: bytes) -> str:
    found = _UTF8_SEQUENCE.search(data)
    if found is not None:
        raise CsvImportError(
            f"Line {_line_of(data, found.start())} holds UTF-8 text, so the file is not "
            "Windows-1252: read that way its names would be garbled. Choose UTF-8; if the file "
            "is then refused, save it again from your spreadsheet as “CSV UTF-8”."
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _not_windows_1252(_line_of(data, exc.start)) from exc
    for index, char in enumerate(text):
        if char > "\x7f" and not _plausible_in_windows_1252(char):
            raise _not_windows_1252(text.count("\n", 0, index) + 1)
    return text


def _plausible_in_windows_1252(char: str) -> bool:
    """Names, emails and groups hold letters beyond ASCII (é, ß, Š, œ) and Excel's apostrophe;
    Windows-1252's symbols (“ ‰ ¾ ˜ «) in them are the sign of another encoding (Shift-JIS's
    山田 reads "ŽR“c")."""
    return unicodedata.category(char).startswith("L") or char == "\u2019"


def _not_windows_1252(line: int) -> CsvImportError:
    return CsvImportError(
        f"The file is not Windows-1252 text (line {line} would read garbled), so nothing was "
        "read. In your spreadsheet, use “Save as” → “CSV UTF-8 (comma delimited)” and upload "
        "that file with the encoding UTF-8."
    )


def _header_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header line into the most known column names."""
    header = _header_line(text)
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        known = sum(1 for cell in cells if normalise_header(cell) in _HEADER_LOOKUP)
        score = (known, len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_csv(data: bytes, *, encoding: str = UTF8) -> ParsedCsv:
    """Read the rows of an uploaded file in ``encoding`` (no validation of the values yet)."""
    text, encoding = decode_upload(data, encoding)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise CsvImportError("The file is empty.")
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for index, cell in enumerate(header):
            column = _HEADER_LOOKUP.get(normalise_header(cell))
            if column and column not in positions:
                positions[column] = index
            elif cell.strip():
                ignored.append(cell.strip())
        missing = [COLUMN_LABELS[c] for c in COLUMNS if c not in positions]
        if missing:
            found = ", ".join(f"“{c.strip()}”" for c in header if c.strip()) or "none"
            raise CsvImportError(
                f"The file has no column for: {', '.join(missing)}. The first line must name "
                "the columns email, first name, last name, group, product type "
                f"(found: {found})."
            )
        rows: list[CsvRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, or a row of empty cells from a spreadsheet
            if len(rows) >= MAX_ROWS:
                raise CsvImportError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
            values = {
                column: (cells[index].strip() if index < len(cells) else "")
                for column, index in positions.items()
            }
            rows.append(CsvRow(line_number=reader.line_num, **values))
    except csv.Error as exc:
        raise CsvImportError(
            f"The file is not a readable CSV (line {reader.line_num}: {exc})."
        ) from exc
    if not rows:
        raise CsvImportError("The file has a header line but no organizers below it.")
    return ParsedCsv(rows=rows, delimiter=delimiter, encoding=encoding, ignored_columns=ignored)


@dataclass(frozen=True)
class GroupRef:
    id: int
    name: str
    group_key: int


def validate_rows(
    parsed: ParsedCsv,
    *,
    groups: Iterable[GroupRef],
    email_exists: Callable[[set[str]], set[str]],
) -> ParsedCsv:
    """Give each row its verdict (``row.error`` blank when valid) and its group id.

    ``groups`` are the groups the importer may use; ``email_exists`` takes lower-cased emails
    and returns those already in the cache (so a re-upload of the same file creates nothing).
    """
    by_name: dict[str, list[GroupRef]] = {}
    by_key: dict[str, GroupRef] = {}
    for group in groups:
        by_name.setdefault(group.name.strip().lower(), []).append(group)
        by_key[str(group.group_key)] = group
    wanted = {row.email.lower() for row in parsed.rows if row.email}
    existing = email_exists(wanted) if wanted else set()
    first_line: dict[str, int] = {}
    for row in parsed.rows:
        row.error = _row_error(row, by_name, by_key, existing, first_line)
    return parsed


def _row_error(row, by_name, by_key, existing, first_line) -> str:
    email = row.email.lower()
    if not row.email:
        return "Email is missing."
    try:
        validate_email(row.email)
    except ValidationError:
        return f"“{row.email}” is not a valid email address."
    if len(row.email) > 254:
        return "Email is longer than 254 characters."
    if email in first_line:
        return f"Duplicate: this email is already on line {first_line[email]} of the file."
    first_line[email] = row.line_number
    if email in existing:
        return "Already exists: an organizer with this email is in the portal."
    if not row.first_name:
        return "First name is missing."
    if not row.last_name:
        return "Last name is missing."
    if len(row.first_name) > 100 or len(row.last_name) > 100:
        return "First and last name may be at most 100 characters each."
    if not row.group:
        return "Group is missing."
    matches = by_name.get(row.group.strip().lower(), [])
    if not matches and row.group in by_key:
        matches = [by_key[row.group]]
    if not matches:
        return f"Unknown group “{row.group}”."
    if len(matches) > 1:
        return f"Several groups are named “{row.group}”: write the group key instead."
    row.group_id = matches[0].id
    product = row.product_type.strip().upper().replace(" ", "")
    if not product:
        return "Product type is missing."
    if product not in PRODUCT_TYPES:
        return f"Unknown product type “{row.product_type}” (use one of {', '.join(PRODUCT_TYPES)})."
    row.product_type = product
    return ""
