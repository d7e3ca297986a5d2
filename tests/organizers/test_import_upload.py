"""Uploading a CSV: refused files get a clear message and create nothing; a readable file gets
a preview of every row (valid, or its error) before anything is sent."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizers.models import ImportJob, ImportRowOutcome, ImportStatus
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

URL = reverse("organizers:import")


def _upload(client, data: bytes, name: str = "people.csv", content_type: str = "text/csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


@pytest.fixture
def admin(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "photo.png", "This is not a text file."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "people.xlsx", "This is an Excel workbook"),
        (
            b"email,first name\na@acme.example,A\n",
            "people.csv",
            "The file has no column for: last name, group, product type.",
        ),
        (
            b"email,first name,last name,group,product type\n",
            "people.csv",
            "no organizers below it",
        ),
        (b"", "empty.csv", "The submitted file is empty."),
    ],
)
def test_unreadable_file_is_refused_and_nothing_is_created(admin, data, name, message):
    response = _upload(admin, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_file_over_one_megabyte_is_refused(admin):
    data = (
        b"email,first name,last name,group,product type\n" + b"a@acme.example,A,B,G,G2M\n" * 45000
    )
    response = _upload(admin, data)
    assert "the limit is 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_file_over_5000_rows_is_refused(admin):
    rows = "".join(f"u{i}@a.example,U,V,G,G2M\n" for i in range(5001))
    response = _upload(admin, ("email,first name,last name,group,product type\n" + rows).encode())
    assert "more than 5,000 rows" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_missing_file_is_refused(admin):
    response = admin.post(URL, {})
    assert "This field is required." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_preview_shows_each_row_valid_or_with_its_error(admin):
    GroupFactory(name="Sales")
    OrganizerFactory(email="already@acme.example")
    data = (
        "\ufeffEmail;First Name;Last Name;Group;Product Type\r\n"
        "ok@acme.example;Ok;Person;Sales;G2M\r\n"
        "bad-email;Bad;Email;Sales;G2M\r\n"
        "ghost@acme.example;Gho;St;Nowhere;G2M\r\n"
        "OK@acme.example;Dup;Licate;Sales;G2M\r\n"
        "already@acme.example;Al;Ready;Sales;G2M\r\n"
    ).encode()
    response = _upload(admin, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organizers:import_preview", args=[job.pk])
    assert job.status == ImportStatus.PREVIEW
    assert job.delimiter == ";"
    verdicts = {r.line_number: (r.outcome, r.error) for r in job.rows.all()}
    assert verdicts == {
        2: (ImportRowOutcome.WAITING, ""),
        3: (ImportRowOutcome.INVALID, "“bad-email” is not a valid email address."),
        4: (ImportRowOutcome.INVALID, "Unknown group “Nowhere”."),
        5: (ImportRowOutcome.INVALID, "Duplicate: this email is already on line 2 of the file."),
        6: (
            ImportRowOutcome.INVALID,
            "Already exists: an organizer with this email is in the portal.",
        ),
    }
    page = admin.get(response["Location"])
    html = page.content.decode()
    assert "Invite 1 organizer" in html
    assert "Unknown group “Nowhere”." in html
    assert page.context["counts"]["invalid"] == 4


def test_deleted_organizer_email_is_not_an_existing_one(admin):
    from django.utils import timezone

    GroupFactory(name="Sales")
    OrganizerFactory(email="back@acme.example", deleted_at=timezone.now())
    _upload(
        admin,
        b"email,first name,last name,group,product type\nback@acme.example,Co,Meback,Sales,G2M\n",
    )
    assert ImportJob.objects.get().rows.get().error == ""


def test_manager_cannot_upload(client_for, manager_user):
    response = _upload(client_for(manager_user), b"email,first name,last name,group,product type\n")
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


MIXED_ENCODINGS = (
    b"email,first name,last name,group,product type\n"
    + "zoe@acme.example,Zoë,Brontë,Sales,G2M\n".encode()
    + b"ana@acme.example,Ana,Garc\xeda,Sales,G2M\n"
)


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        pytest.param(MIXED_ENCODINGS, None, "The file is not UTF-8 text", id="one-latin-1-byte"),
        pytest.param(
            MIXED_ENCODINGS, "windows-1252", "the file is not Windows-1252", id="mixed-as-1252"
        ),
        pytest.param(
            "email,first name,last name,group,product type\n"
            "taro@acme.example,太郎,山田,Sales,G2M\n".encode("shift_jis"),
            None,
            "The file is not UTF-8 text",
            id="shift-jis",
        ),
        pytest.param(
            "email,first name,last name,group,product type\n"
            "taro@acme.example,太郎,山田,Sales,G2M\n".encode("shift_jis"),
            "windows-1252",
            "The file is not Windows-1252 text",
            id="shift-jis-as-1252",
        ),
    ],
)
def test_text_in_another_encoding_is_refused_not_previewed_garbled(admin, data, encoding, message):
    GroupFactory(name="Sales")
    fields = {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")}
    if encoding:
        fields["encoding"] = encoding
    response = admin.post(URL, fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "CSV UTF-8" in html  # how to save it so it can be read
    assert not ImportJob.objects.exists()


def test_windows_1252_file_is_previewed_when_that_encoding_is_chosen(admin):
    GroupFactory(name="Sales")
    data = (
        "email;first name;last name;group;product type\r\n"
        "fr@acme.example;François;Léger;Sales;G2M\r\n"
    )
    response = admin.post(
        URL,
        {
            "file": SimpleUploadedFile("people.csv", data.encode("cp1252"), "text/csv"),
            "encoding": "windows-1252",
        },
    )
    assert response.status_code == 302
    row = ImportJob.objects.get().rows.get()
    assert (row.first_name, row.last_name, row.error) == ("François", "Léger", "")


def test_upload_page_asks_for_the_encoding_utf8_first(admin):
    html = admin.get(URL).content.decode()
    assert '<option value="utf-8" selected>UTF-8' in html
    assert '<option value="windows-1252">Windows-1252' in html
