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
