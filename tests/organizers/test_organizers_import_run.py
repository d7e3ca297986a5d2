"""Running a previewed import: valid rows are created at GoTo by a Celery task (queue
"interactive"), with per-row outcomes; nothing is created twice; 409 counts as "already exists";
a task queue that cannot be reached is a clear message and the job stays previewable."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from accounts.models import AuditEntry
from accounts.tokens import TokenRevoked
from gotomeeting.retry_policy import RetryPolicy
from organizers import services
from organizers.models import ImportJob, ImportRowOutcome, ImportStatus, Organizer
from organizers.tasks import import_organizers_task
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE
from tests.organizers.conftest import sandbox_organizer

pytestmark = pytest.mark.django_db

FILE = (
    b"Email;First Name;Last Name;Group;Product Type\r\n"
    b"one@acme.example;One;Person;Sales;G2M\r\n"
    b"two@acme.example;Two;Person;Engineering;g2w\r\n"
    b"bad-email;Bad;Row;Sales;G2M\r\n"
    b"three@acme.example;Three;Person;Platform;OPENVOICE\r\n"
)


def _upload(client, data=FILE):
    response = client.post(
        reverse("organizers:import"),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def _outcomes(job):
    return {r.email: r.outcome for r in job.rows.all()}


@pytest.fixture
def queued(monkeypatch):
    """Record what would be sent to the broker instead of needing a worker."""
    sent = []
    monkeypatch.setattr(
        import_organizers_task, "apply_async", lambda *a, **kw: sent.append((a, kw))
    )
    return sent


def test_task_is_routed_to_the_interactive_queue():
    from portal.celery import app

    route = app.amqp.router.route({}, import_organizers_task.name)
    assert route["queue"].name == "interactive"


def test_import_creates_the_valid_rows_and_records_each_outcome(
    signed_in_admin, sandbox, cached, queued, admin_user
):
    job = _upload(signed_in_admin)
    response = signed_in_admin.post(reverse("organizers:import_preview", args=[job.pk]))
    assert response["Location"] == reverse("organizers:import_progress", args=[job.pk])
    assert queued == [
        ((), {"args": [job.pk], "retry": True, "retry_policy": queued[0][1]["retry_policy"]})
    ]
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED

    assert import_organizers_task.apply(args=[job.pk]).get() == ImportStatus.FINISHED

    job.refresh_from_db()
    assert job.status == ImportStatus.FINISHED
    assert _outcomes(job) == {
        "one@acme.example": ImportRowOutcome.CREATED,
        "two@acme.example": ImportRowOutcome.CREATED,
        "bad-email": ImportRowOutcome.INVALID,
        "three@acme.example": ImportRowOutcome.CREATED,
    }
    assert sandbox_organizer(sandbox, "two@acme.example")["products"] == ["G2M", "G2W"]
    created = Organizer.objects.get(email="three@acme.example")
    assert created.is_pending and created.group.name == "Platform"
    assert AuditEntry.objects.filter(action="organizer.invite", outcome="success").count() == 3
    summary = AuditEntry.objects.get(action="import.run")
    assert summary.detail == "3 created, 0 already existed, 0 failed."

    result = signed_in_admin.get(reverse("organizers:import_result", args=[job.pk]))
    html = result.content.decode()
    assert result.context["counts"]["created"] == 3
    assert "“bad-email” is not a valid email address." in html
    assert "Invited (pending confirmation)." in html


def test_uploading_the_same_file_again_creates_nothing(
    signed_in_admin, sandbox, cached, queued, admin_api
):
    first = _upload(signed_in_admin)
    services.organizers_import_run(client=admin_api, job=first)
    organizers_before = Organizer.objects.count()
    second = _upload(signed_in_admin)
    assert {r.email: r.error for r in second.rows.all() if r.email.endswith("acme.example")} == (
        dict.fromkeys(
            ["one@acme.example", "two@acme.example", "three@acme.example"],
            "Already exists: an organizer with this email is in the portal.",
        )
    )
    page = signed_in_admin.get(reverse("organizers:import_preview", args=[second.pk]))
    assert "No valid rows to send." in page.content.decode()
    response = signed_in_admin.post(
        reverse("organizers:import_preview", args=[second.pk]), follow=True
    )
    assert "This import has no valid rows to create." in response.content.decode()
    assert queued == []
    assert Organizer.objects.count() == organizers_before


def test_a_409_from_goto_counts_as_already_exists(signed_in_admin, sandbox, cached, admin_api):
    job = _upload(signed_in_admin)
    admin_api.create_organizer(  # created at GoTo behind the portal's back
        services.api.OrganizerRequest("two@acme.example", "Two", "Person", "G2M")
    )
    services.organizers_import_run(client=admin_api, job=job)
    job.refresh_from_db()
    row = job.rows.get(email="two@acme.example")
    assert (row.outcome, row.detail) == (ImportRowOutcome.EXISTS, "Already exists at GoTo (409).")
    assert job.status == ImportStatus.FINISHED
    assert "0 failed" in AuditEntry.objects.get(action="import.run").detail


def test_rows_cached_since_the_preview_are_not_sent(signed_in_admin, sandbox, cached, admin_api):
    job = _upload(signed_in_admin)
    Organizer.objects.create(email="ONE@acme.example", first_name="Already")
    calls = admin_api.calls_made
    services.organizers_import_run(client=admin_api, job=job)
    assert job.rows.get(email="one@acme.example").outcome == ImportRowOutcome.EXISTS
    assert admin_api.calls_made - calls == 2
    assert sandbox_organizer(sandbox, "one@acme.example") is None


# Retries live in the client alone: one try and the retries its policy allows, per row.
ATTEMPTS = 1 + RetryPolicy().max_retries


def _creates_sent(sandbox) -> int:
    """How many organizer creates the sandbox received (429 answers included)."""
    return sum(
        count
        for route, count in sandbox.stats()["routes"].items()
        if route.startswith("POST ") and route.endswith("/organizers")
    )


def test_a_rate_limited_row_is_retried_by_the_client_alone(
    signed_in_admin, sandbox, cached, admin_api
):
    job = _upload(signed_in_admin)
    sandbox.reset_stats()
    sandbox.faults(fail_next=[429] * (ATTEMPTS - 1))
    services.organizers_import_run(client=admin_api, job=job)
    assert _outcomes(job)["one@acme.example"] == ImportRowOutcome.CREATED
    assert sandbox.stats()["statuses"]["429"] == ATTEMPTS - 1
    assert _creates_sent(sandbox) == ATTEMPTS + 2  # row one's tries, then one for each other


def test_a_row_still_rate_limited_after_the_clients_retries_fails_and_the_rest_go_on(
    signed_in_admin, sandbox, cached, admin_api
):
    job = _upload(signed_in_admin)
    sandbox.reset_stats()
    sandbox.faults(fail_next=[429] * ATTEMPTS)
    services.organizers_import_run(client=admin_api, job=job)
    one = job.rows.get(email="one@acme.example")
    assert one.outcome == ImportRowOutcome.FAILED
    assert "GoTo is limiting how fast the portal may call it (429)" in one.detail
    # Exactly the client's attempts for row one (the import used to add 3 rounds of its own).
    assert sandbox.stats()["statuses"]["429"] == ATTEMPTS
    assert _creates_sent(sandbox) == ATTEMPTS + 2
    assert _outcomes(job)["two@acme.example"] == ImportRowOutcome.CREATED
    assert not Organizer.objects.filter(email="one@acme.example").exists()
    assert AuditEntry.objects.get(action="import.run").outcome == "failure"


def test_a_sign_in_goto_refuses_stops_the_import_and_keeps_the_rest_waiting(
    signed_in_admin, sandbox, cached, sandbox_settings
):
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    job = _upload(signed_in_admin)
    refused = GoToMeetingClient(
        api_base_url=sandbox.api_base_url,
        oauth=oauth_config(),
        token={"access_token": "revoked", "refresh_token": "revoked", "expires_in": 600},
        sleep=lambda seconds: None,
    )
    with pytest.raises(TokenRevoked):
        services.organizers_import_run(client=refused, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert SIGN_IN_ENDED_MESSAGE in job.error
    assert set(_outcomes(job).values()) == {ImportRowOutcome.WAITING, ImportRowOutcome.INVALID}
    failed = AuditEntry.objects.get(action="organizer.invite")
    assert failed.outcome == "failure" and "invalid_grant" in failed.detail  # for operators
    assert sandbox_organizer(sandbox, "one@acme.example") is None
    stopped = AuditEntry.objects.get(action="import.run")
    assert stopped.outcome == "failure"
    assert stopped.detail.startswith("Stopped: ") and SIGN_IN_ENDED_MESSAGE in stopped.detail
    assert stopped.detail.endswith("0 created, 0 already existed, 0 failed. 3 not sent yet.")


def test_running_a_job_twice_sends_nothing_twice(signed_in_admin, sandbox, cached, admin_api):
    job = _upload(signed_in_admin)
    services.organizers_import_run(client=admin_api, job=job)
    calls = admin_api.calls_made
    services.organizers_import_run(client=admin_api, job=job)
    assert admin_api.calls_made == calls


def test_unreachable_task_queue_is_a_clear_message_and_the_job_stays_previewable(
    signed_in_admin, sandbox, cached, monkeypatch
):
    job = _upload(signed_in_admin)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(import_organizers_task, "apply_async", broker_down)
    response = signed_in_admin.post(
        reverse("organizers:import_preview", args=[job.pk]), follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("organizers:import_preview", args=[job.pk])
    assert "the task queue (Redis) is not reachable" in html
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEW
    assert "Connection refused" in job.enqueue_error
    assert "127.0.0.1" not in job.enqueue_error and "6379" not in html  # no address shown
    assert "6379" not in AuditEntry.objects.get(action="import.start").detail
    assert _outcomes(job)["one@acme.example"] == ImportRowOutcome.WAITING
    assert "Invite 3 organizers" in html  # can be tried again
    assert not Organizer.objects.filter(email="one@acme.example").exists()
    assert AuditEntry.objects.get(action="import.start").outcome == "failure"


def test_task_without_any_goto_connection_stops_the_job_with_a_message(
    client_for, admin_user, sandbox_settings, cached, queued
):
    job = _upload(client_for(admin_user))  # admin_user has no stored token, nobody has
    services.organizers_import_start(job=job, acting_user=admin_user)
    assert import_organizers_task.apply(args=[job.pk]).get() == ImportStatus.FAILED
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "No GoTo connection" in job.error
    assert _outcomes(job)["one@acme.example"] == ImportRowOutcome.WAITING


def test_progress_fragment_polls_while_running_and_stops_when_done(
    signed_in_admin, sandbox, cached, admin_api
):
    job = _upload(signed_in_admin)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    url = reverse("organizers:import_progress", args=[job.pk])
    running = signed_in_admin.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert running.startswith('<div id="import-progress"')
    assert 'hx-trigger="every 1s"' in running
    assert '<progress value="0" max="3"' in running
    full_page = signed_in_admin.get(url).content.decode()
    assert "<html" in full_page and 'http-equiv="refresh"' in full_page

    services.organizers_import_run(client=admin_api, job=job)
    done = signed_in_admin.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert '<progress value="3" max="3"' in done
    assert reverse("organizers:import_result", args=[job.pk]) in done
