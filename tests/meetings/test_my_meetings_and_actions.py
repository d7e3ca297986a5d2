"""My meetings, an organizer's meetings (Admin), the meeting page and its actions via the views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from meetings.models import Meeting
from tests.factories import MeetingFactory, MeetingInstanceFactory, OrganizerFactory
from tests.meetings.conftest import api_calls, sandbox_meeting

YEAR = timezone.now().year + 1


def create_form(**changes) -> dict:
    data = {
        "subject": "Team sync",
        "timezone": "UTC",
        "start": f"{YEAR}-06-01T09:00",
        "end": f"{YEAR}-06-01T09:30",
        "meeting_type": "scheduled",
        "call_info": "VoIP",
    }
    data.update(changes)
    return data


@pytest.fixture
def mine(organizer_user):
    return OrganizerFactory(organizer_key=organizer_user.organizer_key, email=organizer_user.email)


def test_my_meetings_lists_only_my_upcoming_and_held_meetings(client_for, organizer_user, mine):
    now = timezone.now()
    MeetingFactory(organizer=mine, subject="Mine tomorrow")
    MeetingFactory(
        organizer=mine, subject="Mine live", is_live=True, start_time=now - timedelta(minutes=10)
    )
    MeetingFactory(organizer=mine, subject="Mine over", start_time=now - timedelta(days=2))
    MeetingFactory(organizer=mine, subject="Mine deleted", removed_at=now)
    MeetingFactory(subject="Someone else's")
    # Not cached as an organizer yet: found by the row's own organizer key.
    MeetingFactory(
        organizer=None,
        organizer_key=organizer_user.organizer_key,
        subject="Mine, organizer not synced",
    )
    MeetingInstanceFactory(organizer=mine, subject="Mine held")
    MeetingInstanceFactory(subject="Someone else's held")
    response = client_for(organizer_user).get(reverse("meetings:my_meetings"))
    scheduled = [m.subject for m in response.context["scheduled"].rows]
    history = [i.subject for i in response.context["history"].rows]
    assert sorted(scheduled) == ["Mine live", "Mine tomorrow", "Mine, organizer not synced"]
    assert history == ["Mine held"]
    assert reverse("meetings:create") in response.content.decode()


def test_my_meetings_date_range(client_for, organizer_user, mine):
    now = timezone.now()
    MeetingFactory(organizer=mine, subject="Next week", start_time=now + timedelta(days=7))
    MeetingFactory(organizer=mine, subject="Next month", start_time=now + timedelta(days=30))
    MeetingInstanceFactory(organizer=mine, subject="Last week", start_time=now - timedelta(days=7))
    MeetingInstanceFactory(
        organizer=mine, subject="Last year", start_time=now - timedelta(days=365)
    )
    start = (now - timedelta(days=10)).date().isoformat()
    end = (now + timedelta(days=10)).date().isoformat()
    response = client_for(organizer_user).get(
        reverse("meetings:my_meetings"), {"start": start, "end": end}
    )
    assert [m.subject for m in response.context["scheduled"].rows] == ["Next week"]
    assert [i.subject for i in response.context["history"].rows] == ["Last week"]


def test_my_meetings_bad_range_shows_a_message(client_for, organizer_user, mine):
    response = client_for(organizer_user).get(
        reverse("meetings:my_meetings"), {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert "The end date must not be before the start date." in response.content.decode()


def test_empty_lists_say_so(client_for, organizer_user):
    html = client_for(organizer_user).get(reverse("meetings:my_meetings")).content.decode()
    assert "No scheduled meetings." in html
    assert "No meetings in this range." in html


def test_admin_sees_an_organizers_meetings_without_a_create_button(client_for, admin_user):
    other = OrganizerFactory(first_name="Olga")
    MeetingFactory(organizer=other, subject="Olga's planning")
    MeetingInstanceFactory(organizer=other, subject="Olga's held")
    response = client_for(admin_user).get(reverse("meetings:organizer_meetings", args=[other.pk]))
    html = response.content.decode()
    assert "Olga&#x27;s planning" in html
    assert "Olga&#x27;s held" in html
    # GoTo creates meetings only for the token's own organizer.
    assert reverse("meetings:create") not in html
    assert reverse("meetings:update", args=[Meeting.objects.get().pk]) in html


def test_meeting_page_shows_its_fields_and_join_url(client_for, organizer_user, mine):
    meeting = MeetingFactory(organizer=mine, subject="Board prep", conference_call_info="PSTN")
    held = MeetingInstanceFactory(organizer=mine, meeting_id=meeting.meeting_id)
    html = client_for(organizer_user).get(reverse("meetings:detail", args=[meeting.pk]))
    html = html.content.decode()
    assert "Board prep" in html
    assert meeting.join_url in html
    assert "PSTN" in html
    assert reverse("meetings:instance_detail", args=[held.pk]) in html
    assert f'action="{reverse("meetings:start", args=[meeting.pk])}"' in html


@pytest.mark.parametrize("name", ["detail", "update", "delete", "start"])
def test_others_meetings_are_not_found(client_for, organizer_user, manager_user, name):
    meeting = MeetingFactory(subject="Not yours")
    for user in (organizer_user, manager_user):
        client = client_for(user)
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
        if name != "detail":
            assert client.post(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 404
    assert not AuditEntry.objects.exists()


def test_organizer_creates_a_meeting_through_the_form(client_for, goto_organizer, sandbox):
    response = client_for(goto_organizer).post(reverse("meetings:create"), create_form())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert sandbox_meeting(sandbox, meeting.meeting_id)["subject"] == "Team sync"
    page = client_for(goto_organizer).get(response["Location"]).content.decode()
    assert "Meeting “Team sync” created." in page


def test_own_conference_numbers_are_sent_as_text(client_for, goto_organizer, sandbox):
    client_for(goto_organizer).post(
        reverse("meetings:create"),
        create_form(call_info="Private", private_call_info="Dial +33 1 23 45 67 89, code 42#"),
    )
    meeting = Meeting.objects.get()
    stored = sandbox_meeting(sandbox, meeting.meeting_id)
    assert stored["conferenceCallInfo"] == "Dial +33 1 23 45 67 89, code 42#"
    form = client_for(goto_organizer).get(reverse("meetings:update", args=[meeting.pk]))
    html = form.content.decode()
    assert '<option value="Private" selected>' in html
    assert "Dial +33 1 23 45 67 89, code 42#" in html


def test_without_a_stored_token_nothing_is_sent_and_the_user_is_signed_out(
    client_for, organizer_user, sandbox_settings, sandbox
):
    response = client_for(organizer_user).post(reverse("meetings:create"), create_form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert api_calls(sandbox) == 0
    assert not Meeting.objects.exists()


def test_goto_error_is_shown_and_the_form_kept(client_for, goto_organizer, sandbox):
    sandbox.faults(fail_next=[400])
    response = client_for(goto_organizer).post(reverse("meetings:create"), create_form())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Could not create the meeting: GoTo refused the request (400)" in html
    assert 'value="Team sync"' in html
    assert not Meeting.objects.exists()


def test_delete_asks_first_then_deletes(client_for, goto_organizer, sandbox):
    client = client_for(goto_organizer)
    client.post(reverse("meetings:create"), create_form(subject="To be deleted"))
    meeting = Meeting.objects.get()
    url = reverse("meetings:delete", args=[meeting.pk])
    confirm = client.get(url).content.decode()
    assert "Delete “To be deleted”? This cannot be undone." in confirm
    assert 'method="post"' in confirm
    assert sandbox_meeting(sandbox, meeting.meeting_id) is not None  # GET changed nothing

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:my_meetings")
    assert sandbox_meeting(sandbox, meeting.meeting_id) is None
    meeting.refresh_from_db()
    assert meeting.removed_at is not None
    # Gone from the list, still reachable as history; no more actions on it.
    listing = client.get(reverse("meetings:my_meetings"))
    assert "Meeting “To be deleted” deleted." in listing.content.decode()
    assert list(listing.context["scheduled"].rows) == []
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:update", args=[meeting.pk])).status_code == 404


def test_delete_failure_is_shown_on_the_meeting_page(client_for, goto_organizer, sandbox):
    ghost = MeetingFactory(
        organizer=OrganizerFactory(organizer_key=goto_organizer.organizer_key),
        meeting_id=999000111,
    )
    client = client_for(goto_organizer)
    response = client.post(reverse("meetings:delete", args=[ghost.pk]), follow=True)
    assert "GoTo does not know it (404)" in response.content.decode()
    ghost.refresh_from_db()
    assert ghost.removed_at is None


def test_start_redirects_the_browser_to_the_host_url(client_for, goto_organizer, sandbox):
    client = client_for(goto_organizer)
    client.post(reverse("meetings:create"), create_form())
    meeting = Meeting.objects.get()
    url = reverse("meetings:start", args=[meeting.pk])
    assert "Start “Team sync”?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(sandbox.base_url)
    assert str(meeting.meeting_id) in response["Location"]
    assert AuditEntry.objects.filter(action="meeting.start", outcome="success").count() == 1


def test_admin_edits_and_deletes_another_organizers_meeting(
    client_for, goto_organizer, goto_admin, sandbox
):
    client_for(goto_organizer).post(reverse("meetings:create"), create_form())
    meeting = Meeting.objects.get()
    owner = OrganizerFactory(organizer_key=goto_organizer.organizer_key)
    Meeting.objects.filter(pk=meeting.pk).update(organizer=owner)
    client = client_for(goto_admin)
    response = client.post(
        reverse("meetings:update", args=[meeting.pk]), create_form(subject="Fixed by admin")
    )
    assert response.status_code == 302
    assert sandbox_meeting(sandbox, meeting.meeting_id)["subject"] == "Fixed by admin"
    response = client.post(reverse("meetings:delete", args=[meeting.pk]))
    assert response["Location"] == reverse("meetings:organizer_meetings", args=[owner.pk])
    assert sandbox_meeting(sandbox, meeting.meeting_id) is None
    actors = set(AuditEntry.objects.filter(outcome="success").values_list("action", "actor"))
    assert ("meeting.update", goto_admin.pk) in actors
    assert ("meeting.delete", goto_admin.pk) in actors
