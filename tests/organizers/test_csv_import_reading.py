"""Reading uploaded CSV files the way spreadsheets write them, and refusing what we cannot read."""

from __future__ import annotations

import pytest

from organizers.csv_import import (
    MAX_ROWS,
    UTF8,
    WINDOWS_1252,
    CsvImportError,
    GroupRef,
    normalise_header,
    parse_csv,
    validate_rows,
)

HEADER = "email,first name,last name,group,product type\r\n"


def _rows(parsed):
    return [
        (r.line_number, r.email, r.first_name, r.last_name, r.group, r.product_type)
        for r in parsed.rows
    ]


def test_reads_plain_utf8_with_comma():
    parsed = parse_csv((HEADER + "ada@acme.example,Ada,Lovelace,Sales,G2M\r\n").encode())
    assert parsed.delimiter == ","
    assert _rows(parsed) == [(2, "ada@acme.example", "Ada", "Lovelace", "Sales", "G2M")]


def test_reads_utf8_with_bom_and_excel_semicolons():
    text = (
        "Email;First Name;Last Name;Group;Product Type\r\n"
        "zoe@acme.example;Zoé;Müller;Ventes;g2w\r\n"
    )
    parsed = parse_csv(b"\xef\xbb\xbf" + text.encode())
    assert parsed.delimiter == ";"
    assert _rows(parsed) == [(2, "zoe@acme.example", "Zoé", "Müller", "Ventes", "g2w")]


def test_reads_utf16_tab_separated_unicode_text_from_excel():
    text = (
        "E-Mail\tFirst_Name\tLAST NAME\tGroup Name\tProduct\r\n"
        "li@acme.example\tLi\tWei\tSales\tG2T\r\n"
    )
    parsed = parse_csv(text.encode("utf-16"))
    assert parsed.delimiter == "\t"
    assert _rows(parsed) == [(2, "li@acme.example", "Li", "Wei", "Sales", "G2T")]


WINDOWS_1252_FILE = (
    "email;first name;last name;group;product type\r\n"
    "fr@acme.example;Fran\xe7ois;L\xe9ger;Sales;G2M\r\n"
).encode("cp1252")


def test_reads_windows_1252_from_old_excel_when_chosen():
    parsed = parse_csv(WINDOWS_1252_FILE, encoding=WINDOWS_1252)
    assert parsed.encoding == "windows-1252"
    assert _rows(parsed) == [(2, "fr@acme.example", "François", "Léger", "Sales", "G2M")]


def test_windows_1252_letters_and_excels_apostrophe_are_read():
    text = HEADER + "o@acme.example,Šárka Œdipe,O\u2019Neil-Strauß,Ventes,G2M\r\n"
    parsed = parse_csv(text.encode("cp1252"), encoding=WINDOWS_1252)
    assert parsed.rows[0].first_name == "Šárka Œdipe"
    assert parsed.rows[0].last_name == "O\u2019Neil-Strauß"


def test_windows_1252_file_is_refused_unless_chosen():
    with pytest.raises(CsvImportError) as caught:
        parse_csv(WINDOWS_1252_FILE)
    assert "The file is not UTF-8 text (line 2 has bytes that are not UTF-8)" in (
        caught.value.message
    )
    assert "“CSV UTF-8 (comma delimited)”" in caught.value.message
    assert "choose the encoding Windows-1252" in caught.value.message


# UTF-8 throughout but for one Latin-1 byte on line 3: read whole as Windows-1252, line 2
# became "ZoÃ« BrontÃ«" and was previewed as valid.
MIXED_FILE = (
    HEADER.encode()
    + "zoe@acme.example,Zoë,Brontë,Sales,G2M\r\n".encode()
    + b"ana@acme.example,Ana,Garc\xeda,Sales,G2M\r\n"
)
SHIFT_JIS_FILE = (HEADER + "taro@acme.example,太郎,山田,営業,G2M\r\n").encode("shift_jis")


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        (MIXED_FILE, UTF8, "The file is not UTF-8 text (line 3 has bytes that are not UTF-8)"),
        (MIXED_FILE, WINDOWS_1252, "Line 2 holds UTF-8 text, so the file is not Windows-1252"),
        (SHIFT_JIS_FILE, UTF8, "The file is not UTF-8 text (line 2"),
        (SHIFT_JIS_FILE, WINDOWS_1252, "The file is not Windows-1252 text (line 2"),
        (
            # 0x81 (the ideographic space's first byte) is no Windows-1252 character.
            (HEADER + "taro@acme.example,山田\u3000太郎,山田,営業,G2M\r\n").encode("shift_jis"),
            WINDOWS_1252,
            "The file is not Windows-1252 text (line 2",
        ),
        (
            (HEADER + "zoe@acme.example,Zoë,Brontë,Sales,G2M\r\n").encode(),
            WINDOWS_1252,
            "Line 2 holds UTF-8 text, so the file is not Windows-1252",
        ),
        (HEADER.encode(), "latin-9", "Choose the file's encoding: UTF-8 or Windows-1252."),
    ],
)
def test_text_in_another_encoding_is_refused_never_read_garbled(data, encoding, message):
    with pytest.raises(CsvImportError) as caught:
        parse_csv(data, encoding=encoding)
    assert message in caught.value.message


def test_header_names_in_any_case_order_and_spacing():
    text = (
        "  PRODUCT TYPE , Group,Last-Name,first_name,E-mail Address\n"
        "G2M,Sales,Hopper,Grace,grace@acme.example\n"
    )
    parsed = parse_csv(text.encode())
    assert _rows(parsed) == [(2, "grace@acme.example", "Grace", "Hopper", "Sales", "G2M")]


def test_quoted_cells_with_separators_and_blank_lines_are_handled():
    text = HEADER + '\r\n"x@acme.example","Mary, Jr","O\'Neil","Sales; EMEA",G2M\r\n,,,,\r\n'
    parsed = parse_csv(text.encode())
    assert _rows(parsed) == [(3, "x@acme.example", "Mary, Jr", "O'Neil", "Sales; EMEA", "G2M")]


def test_extra_columns_are_ignored_and_named():
    parsed = parse_csv(
        b"email,first name,last name,group,product type,notes\na@b.example,A,B,G,G2M,hi\n"
    )
    assert parsed.ignored_columns == ["notes"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \r\n\r\n", "The file is empty."),
        (HEADER.encode(), "The file has a header line but no organizers below it."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a text file."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is an Excel workbook"),
        (
            b"email,first name\na@b.example,A\n",
            "The file has no column for: last name, group, product type.",
        ),
        (
            b"name;phone\nA;123\n",
            "The file has no column for: email, first name, last name, group, product type.",
        ),
        (
            b"email,first name,last name,group,product type\n\x01\x02\x03,x,y,z,G2M\n",
            "This is not a text file.",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(CsvImportError) as caught:
        parse_csv(data)
    assert message in caught.value.message


def test_file_over_one_megabyte_is_refused():
    big = HEADER + ("someone@acme.example,Some,One,Sales,G2M\n" * 30000)
    assert len(big) > 1024 * 1024
    with pytest.raises(CsvImportError) as caught:
        parse_csv(big.encode())
    assert "the limit is 1 MB" in caught.value.message


def test_file_over_5000_rows_is_refused():
    body = "".join(f"u{i}@a.example,U,{i},G,G2M\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(CsvImportError) as caught:
        parse_csv((HEADER + body).encode())
    assert "more than 5,000 rows" in caught.value.message


def test_exactly_5000_rows_are_accepted():
    body = "".join(f"u{i}@a.example,U,{i},G,G2M\n" for i in range(MAX_ROWS))
    assert len(parse_csv((HEADER + body).encode()).rows) == MAX_ROWS


def test_normalise_header():
    assert normalise_header("  First_Name ") == "first name"
    assert normalise_header("E-Mail") == "e mail"


GROUPS = [
    GroupRef(1, "Sales", 111),
    GroupRef(2, "Support", 222),
    GroupRef(3, "Twin", 301),
    GroupRef(4, "twin", 302),
]


def _validate(lines: str, existing=frozenset()):
    parsed = parse_csv((HEADER + lines).encode())
    return validate_rows(parsed, groups=GROUPS, email_exists=lambda wanted: wanted & set(existing))


def test_row_verdicts():
    parsed = _validate(
        "ok@acme.example,Ok,Person,sales,g2m\n"
        "not-an-email,Bad,Email,Sales,G2M\n"
        "unknown@acme.example,Un,Known,Marketing,G2M\n"
        "OK@acme.example,Dup,Licate,Sales,G2M\n"
        "exists@acme.example,Ex,Ists,Sales,G2M\n"
        "noname@acme.example,,Person,Sales,G2M\n"
        "badproduct@acme.example,Bad,Product,Sales,GoToWebinar\n"
        "bykey@acme.example,By,Key,222,openvoice\n"
        "twin@acme.example,Am,Biguous,Twin,G2M\n"
        "nogroup@acme.example,No,Group,,G2M\n",
        existing={"exists@acme.example"},
    )
    verdicts = {r.email: r.error for r in parsed.rows}
    assert verdicts["ok@acme.example"] == ""
    assert verdicts["not-an-email"] == "“not-an-email” is not a valid email address."
    assert verdicts["unknown@acme.example"] == "Unknown group “Marketing”."
    assert verdicts["OK@acme.example"] == "Duplicate: this email is already on line 2 of the file."
    assert (
        verdicts["exists@acme.example"]
        == "Already exists: an organizer with this email is in the portal."
    )
    assert verdicts["noname@acme.example"] == "First name is missing."
    assert verdicts["badproduct@acme.example"].startswith("Unknown product type “GoToWebinar”")
    assert verdicts["bykey@acme.example"] == ""
    assert verdicts["twin@acme.example"].startswith("Several groups are named “Twin”")
    assert verdicts["nogroup@acme.example"] == "Group is missing."
    valid = {r.email: (r.group_id, r.product_type) for r in parsed.valid_rows}
    assert valid == {"ok@acme.example": (1, "G2M"), "bykey@acme.example": (2, "OPENVOICE")}
