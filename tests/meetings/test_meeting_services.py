"""meeting_create / update / delete / start against the sandbox: GoTo first, then the cache
row and the audit entry; on an API error a failure entry, no cached change, a clear message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.utils import timezone

from accounts.models import AuditEntry
from meetings import services
from meetings.models import Meeting
from meetings.services import MeetingActionFailed, MeetingFields
from tests.factories import MeetingFactory, OrganizerFactory
from tests.meetings.conftest import sandbox_meeting

YEAR = timezone.now().year + 1


def fields(**changes) -> MeetingFields:
    values = {
        "subject": "Design review",
        "start_time": datetime(YEAR, 4, 2, 13, 0, tzinfo=UTC),
        "end_time": datetime(YEAR, 4, 2, 14, 0, tzinfo=UTC),
        "meeting_type": "scheduled",
        "password_required": True,
        "conference_call_info": "Hybrid",
    }
    values.update(changes)
    return MeetingFields(**values)


@pytest.fixture
def organizer_client(goto_client):
    return goto_client("organizer@acme.example")


@pytest.fixture
def created(organizer_client, goto_organizer):
    return services.meeting_create(
        client=organizer_client, acting_user=goto_organizer, fields=fields()
    )


def test_create_calls_goto_then_caches_the_meeting(created, goto_organizer, sandbox):
    stored = sandbox_meeting(sandbox, created.meeting_id)
    assert stored["subject"] == "Design review"
    assert stored["startTime"] == f"{YEAR}-04-02T13:00:00Z"
    assert stored["passwordRequired"] is True
    cached = Meeting.objects.get(meeting_id=created.meeting_id)
    assert cached.subject == "Design review"
    assert cached.organizer_key == goto_organizer.organizer_key
    assert cached.join_url.startswith("http")
    assert cached.conference_call_info == "Hybrid"
    assert cached.synced_at is not None
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.outcome == "success"
    assert entry.actor == goto_organizer
    assert entry.target_id == str(cached.pk)


def test_create_links_the_cached_organizer_when_known(organizer_client, goto_organizer):
    organizer = OrganizerFactory(organizer_key=goto_organizer.organizer_key)
    meeting = services.meeting_create(
        client=organizer_client, acting_user=goto_organizer, fields=fields()
    )
    assert meeting.organizer == organizer


def test_update_changes_goto_and_the_cache(created, organizer_client, goto_organizer, sandbox):
    later = datetime(YEAR, 4, 3, 8, 30, tzinfo=UTC)
    services.meeting_update(
        client=organizer_client,
        acting_user=goto_organizer,
        meeting=created,
        fields=fields(
            subject="Design review (moved)",
            start_time=later,
            end_time=later + timedelta(minutes=45),
            conference_call_info="Call +1 555 0100, PIN 1234",
        ),
    )
    stored = sandbox_meeting(sandbox, created.meeting_id)
    assert stored["subject"] == "Design review (moved)"
    assert stored["startTime"] == f"{YEAR}-04-03T08:30:00Z"
    assert stored["conferenceCallInfo"] == "Call +1 555 0100, PIN 1234"
    created.refresh_from_db()
    assert created.subject == "Design review (moved)"
    assert created.start_time == later
    entry = AuditEntry.objects.get(action="meeting.update", outcome="success")
    assert entry.changes == {
        "subject": {"before": "Design review", "after": "Design review (moved)"},
        "start_time": {"before": f"{YEAR}-04-02T13:00:00+00:00", "after": later.isoformat()},
        "end_time": {
            "before": f"{YEAR}-04-02T14:00:00+00:00",
            "after": (later + timedelta(minutes=45)).isoformat(),
        },
        "conference_call_info": {"before": "Hybrid", "after": "Call +1 555 0100, PIN 1234"},
    }


def test_delete_removes_at_goto_and_keeps_the_row_marked(
    created, organizer_client, goto_organizer, sandbox
):
    services.meeting_delete(client=organizer_client, acting_user=goto_organizer, meeting=created)
    assert sandbox_meeting(sandbox, created.meeting_id) is None
    created.refresh_from_db()
    assert created.removed_at is not None
    assert AuditEntry.objects.filter(action="meeting.delete", outcome="success").count() == 1


def test_start_returns_the_host_url(created, organizer_client, goto_organizer, sandbox):
    url = services.meeting_start(
        client=organizer_client, acting_user=goto_organizer, meeting=created
    )
    assert url.startswith(sandbox.base_url)
    assert str(created.meeting_id) in url
    assert AuditEntry.objects.filter(action="meeting.start", outcome="success").count() == 1


def test_admin_may_update_another_organizers_meeting(created, goto_client, goto_admin, sandbox):
    services.meeting_update(
        client=goto_client("admin@acme.example"),
        acting_user=goto_admin,
        meeting=created,
        fields=fields(subject="Renamed by the admin"),
    )
    assert sandbox_meeting(sandbox, created.meeting_id)["subject"] == "Renamed by the admin"
    entry = AuditEntry.objects.get(action="meeting.update")
    assert entry.actor == goto_admin


def test_unknown_meeting_is_a_clear_failure_and_changes_nothing(
    organizer_client, goto_organizer, sandbox
):
    ghost = MeetingFactory(meeting_id=123456789, subject="Ghost")
    with pytest.raises(MeetingActionFailed, match=r"GoTo does not know it \(404\)"):
        services.meeting_delete(client=organizer_client, acting_user=goto_organizer, meeting=ghost)
    ghost.refresh_from_db()
    assert ghost.removed_at is None
    entry = AuditEntry.objects.get(action="meeting.delete")
    assert entry.outcome == "failure"
    assert "404" in entry.detail


def test_another_organizers_meeting_is_refused_by_goto(
    goto_client, goto_admin, goto_organizer, sandbox
):
    admins_meeting = services.meeting_create(
        client=goto_client("admin@acme.example"), acting_user=goto_admin, fields=fields()
    )
    with pytest.raises(MeetingActionFailed) as caught:
        services.meeting_update(
            client=goto_client("organizer@acme.example"),
            acting_user=goto_organizer,
            meeting=admins_meeting,
            fields=fields(subject="Hijacked"),
        )
    assert "Could not update the meeting" in str(caught.value)
    admins_meeting.refresh_from_db()
    assert admins_meeting.subject == "Design review"
    assert sandbox_meeting(sandbox, admins_meeting.meeting_id)["subject"] == "Design review"
    assert AuditEntry.objects.filter(action="meeting.update", outcome="failure").count() == 1


def test_goto_refusing_a_create_records_a_failure(organizer_client, goto_organizer, sandbox):
    sandbox.faults(fail_next=[400])
    with pytest.raises(MeetingActionFailed, match=r"GoTo refused the request \(400\)"):
        services.meeting_create(
            client=organizer_client, acting_user=goto_organizer, fields=fields()
        )
    assert not Meeting.objects.exists()
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.outcome == "failure"
    assert entry.target_label == "Design review"


def test_goto_down_on_start_is_a_clear_failure(created, organizer_client, goto_organizer, sandbox):
    organizer_client.retry_policy.max_retries = 0
    sandbox.faults(fail_next=[503])
    with pytest.raises(MeetingActionFailed, match=r"GoTo had a server error \(503\)"):
        services.meeting_start(client=organizer_client, acting_user=goto_organizer, meeting=created)
    assert AuditEntry.objects.filter(action="meeting.start", outcome="failure").count() == 1


@responses.activate
def test_error_answers_map_to_messages(goto_organizer):
    """The message for each kind of error (through ``responses``: exact statuses)."""
    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient

    base = "https://api.example.test/G2M/rest"
    client = GoToMeetingClient(
        api_base_url=base,
        oauth=oauth_config(),
        token={"access_token": "t", "token_type": "Bearer", "expires_at": 4e9},
        max_retries=0,
        sleep=lambda s: None,
    )
    meeting = MeetingFactory(meeting_id=42, subject="Kept")
    cases = [
        (403, {"int_err_code": "AccessDenied", "msg": "no"}, "is not allowed to do this"),
        (400, {"int_err_code": "InvalidRequest", "msg": "bad date"}, "(400): bad date."),
        (429, {"int_err_code": "TooMany", "msg": "slow down"}, "(429)"),
        (500, {"int_err_code": "Oops", "msg": "boom"}, "server error (500)"),
    ]
    for status, body, message in cases:
        responses.upsert(responses.PUT, f"{base}/meetings/42", json=body, status=status)
        with pytest.raises(MeetingActionFailed) as caught:
            services.meeting_update(
                client=client, acting_user=goto_organizer, meeting=meeting, fields=fields()
            )
        assert message in str(caught.value), status
    responses.add(responses.GET, f"{base}/meetings/42/start", json={"hostURL": "javascript:x"})
    with pytest.raises(MeetingActionFailed):
        services.meeting_start(client=client, acting_user=goto_organizer, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.subject == "Kept"
    assert AuditEntry.objects.filter(outcome="failure").count() == len(cases) + 1
