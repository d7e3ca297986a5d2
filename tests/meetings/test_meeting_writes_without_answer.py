"""Meeting writes whose answer GoTo loses (the sandbox answers later than the page's deadline).

The portal looks at GoTo before answering: done there means done here ("GoTo was slow"); when it
cannot tell, it says the outcome is unknown — never "nothing was changed; try again" — audits
that, re-reads the meeting in the background, and the same meeting sent again is looked up at
GoTo first, so it is never created twice. No message shows the API's host or port.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from meetings.models import Meeting
from meetings.tasks import reconcile_meeting_task
from tests.conftest import wait_until
from tests.meetings.conftest import sandbox_meeting

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year + 1
SUBJECT = "Team sync"


def create_form(**changes) -> dict:
    data = {
        "subject": SUBJECT,
        "timezone": "UTC",
        "start": f"{YEAR}-06-01T09:00",
        "end": f"{YEAR}-06-01T09:30",
        "meeting_type": "scheduled",
        "call_info": "VoIP",
    }
    data.update(changes)
    return data


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def subjects_at_goto(sandbox) -> list[str]:
    return [meeting["subject"] for meeting in sandbox.state()["meetings"]]


def assert_no_address(texts: list[str], sandbox) -> None:
    for text in texts:
        assert "127.0.0.1" not in text and str(sandbox.port) not in text, text
        assert "Nothing was changed" not in text, text


@pytest.fixture
def browser(client_for, goto_organizer):
    return client_for(goto_organizer)


@pytest.fixture
def existing(browser, sandbox):
    """A meeting created through the form while GoTo answers at once."""
    response = browser.post(reverse("meetings:create"), create_form())
    assert response.status_code == 302
    browser.get(response["Location"])  # shows (and so uses up) the "created" message
    return Meeting.objects.get()


def test_a_create_answered_after_the_deadline_is_found_at_goto_and_reported_created(
    browser, sandbox, slow_goto
):
    slow_goto(1500, deadline=1.0, check=3.0)
    started = time.monotonic()
    response = browser.post(reverse("meetings:create"), create_form())
    assert time.monotonic() - started < 1.0 + 3.0 + 1.0
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert sandbox_meeting(sandbox, meeting.meeting_id)["subject"] == SUBJECT
    assert shown(response) == [
        f"Meeting “{SUBJECT}” created. GoTo was slow to answer, but it was done."
    ]
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.outcome == "success" and "answer was lost" in entry.detail
    assert subjects_at_goto(sandbox).count(SUBJECT) == 1


def test_a_create_without_an_answer_is_unknown_and_sending_it_again_makes_no_duplicate(
    browser, sandbox, slow_goto, queued_tasks, django_capture_on_commit_callbacks
):
    slow_goto(2000, deadline=1.0, check=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        first = browser.post(reverse("meetings:create"), create_form())
    assert first.status_code == 200  # the form again, filled in
    [message] = shown(first)
    assert f"cannot tell yet whether it could create the meeting “{SUBJECT}”" in message
    assert "check My meetings before creating it again" in message
    assert_no_address([message], sandbox)
    assert not Meeting.objects.exists()
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.outcome == "failure" and entry.detail.startswith("Outcome unknown")
    assert [name for name, _ in queued_tasks] == ["meetings.reconcile_meeting"]

    # GoTo did create it, later; the user follows the advice and sends the form again.
    wait_until(lambda: SUBJECT in subjects_at_goto(sandbox), what="GoTo creating the meeting")
    sandbox.faults(latency_ms=0)
    second = browser.post(reverse("meetings:create"), create_form())
    assert second.status_code == 302
    assert subjects_at_goto(sandbox).count(SUBJECT) == 1
    meeting = Meeting.objects.get()
    assert sandbox_meeting(sandbox, meeting.meeting_id)["subject"] == SUBJECT
    assert "no duplicate" in shown(second)[0]


def test_the_background_re_check_caches_a_meeting_goto_created_after_all(
    browser, sandbox, slow_goto, queued_tasks, django_capture_on_commit_callbacks
):
    slow_goto(2000, deadline=1.0, check=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("meetings:create"), create_form())
    wait_until(lambda: SUBJECT in subjects_at_goto(sandbox), what="GoTo creating the meeting")
    sandbox.faults(latency_ms=0)
    [(name, kwargs)] = queued_tasks
    reconcile_meeting_task.apply(kwargs=kwargs).get()
    meeting = Meeting.objects.get()
    assert meeting.subject == SUBJECT and meeting.removed_at is None
    assert sandbox_meeting(sandbox, meeting.meeting_id) is not None
    assert AuditEntry.objects.filter(action="meeting.create", outcome="success").count() == 1
    # The create is no longer pending: the same form now makes a second meeting, as asked.
    browser.post(reverse("meetings:create"), create_form())
    assert subjects_at_goto(sandbox).count(SUBJECT) == 2


def test_a_delete_answered_after_the_deadline_is_confirmed_at_goto(
    browser, existing, sandbox, slow_goto
):
    slow_goto(1500, deadline=1.0, check=3.0)
    response = browser.post(reverse("meetings:delete", args=[existing.pk]))
    assert response.status_code == 302
    assert sandbox_meeting(sandbox, existing.meeting_id) is None
    existing.refresh_from_db()
    assert existing.removed_at is not None
    assert shown(response) == [
        f"Meeting “{SUBJECT}” deleted. GoTo was slow to answer, but it was done."
    ]


def test_an_update_without_an_answer_is_unknown_then_re_read_in_the_background(
    browser, existing, sandbox, slow_goto, queued_tasks, django_capture_on_commit_callbacks
):
    slow_goto(2000, deadline=1.0, check=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("meetings:update", args=[existing.pk]), create_form(subject="Moved")
        )
    [message] = shown(response)
    assert "cannot tell yet whether it could update the meeting" in message
    assert_no_address([message], sandbox)
    existing.refresh_from_db()
    assert existing.subject == SUBJECT  # not shown as changed before GoTo says so
    [(name, kwargs)] = queued_tasks
    assert (name, kwargs["meeting_id"]) == ("meetings.reconcile_meeting", existing.pk)

    wait_until(
        lambda: sandbox_meeting(sandbox, existing.meeting_id)["subject"] == "Moved",
        what="GoTo updating the meeting",
    )
    sandbox.faults(latency_ms=0)
    reconcile_meeting_task.apply(kwargs=kwargs).get()
    existing.refresh_from_db()
    assert existing.subject == "Moved"
    assert AuditEntry.objects.filter(action="meeting.reconcile").count() == 1
