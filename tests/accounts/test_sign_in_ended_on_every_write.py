"""A missing or revoked GoTo sign-in, met on any write path, ends the same way: the failure is
audited where GoTo was asked, the user is signed out with the one message
(``portal.api_outcomes.SIGN_IN_ENDED_MESSAGE``) and sent to sign in again — an htmx request by
``HX-Redirect`` — and nothing changes in the cache. One place handles it
(``accounts.middleware.GoToSessionEndedMiddleware``); no view catches it.

"Revoked" is a stored token the sandbox refuses (403 InvalidToken) whose refresh it refuses
too (invalid_grant); "missing" is no stored token at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.tokens import store_token
from meetings.models import Meeting
from organizers.models import ImportJob, ImportRow, ImportRowOutcome, ImportStatus, Organizer
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE
from tests.factories import GroupFactory, MeetingFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year + 1


@dataclass
class Write:
    """One write path: who does it, the URL, the form, and (revoked only) the audit action
    whose failure entry records that GoTo refused the sign-in."""

    user: str
    url: str
    data: dict
    audited: str = ""


def _meeting_form(subject: str = "Team sync") -> dict:
    return {
        "subject": subject,
        "timezone": "UTC",
        "start": f"{YEAR}-06-01T09:00",
        "end": f"{YEAR}-06-01T09:30",
        "meeting_type": "scheduled",
        "call_info": "VoIP",
    }


@pytest.fixture
def world(admin_user, organizer_user):
    """What every write path acts on, cached as a sync would have left it."""
    group = GroupFactory(name="Sales")
    active = OrganizerFactory(group=group, first_name="Ada", last_name="Active")
    suspended = OrganizerFactory(group=group, status="suspended", first_name="Sam")
    mine = OrganizerFactory(organizer_key=organizer_user.organizer_key, email=organizer_user.email)
    meeting = MeetingFactory(organizer=mine, subject="Kept subject")
    job = ImportJob.objects.create(created_by=admin_user, filename="people.csv")
    ImportRow.objects.create(
        job=job,
        line_number=2,
        email="new@acme.example",
        first_name="New",
        last_name="Person",
        group_name=group.name,
        product_type="G2M",
        group=group,
        outcome=ImportRowOutcome.WAITING,
    )
    return {
        "group": group,
        "active": active,
        "suspended": suspended,
        "meeting": meeting,
        "job": job,
    }


def _writes(world) -> dict[str, Write]:
    active, meeting = world["active"], world["meeting"]
    return {
        "invite": Write(
            "admin",
            reverse("organizers:invite"),
            {
                "email": "new.hire@acme.example",
                "first_name": "New",
                "last_name": "Hire",
                "group": world["group"].pk,
                "product_type": "G2M",
            },
            "organizer.invite",
        ),
        "suspend": Write(
            "admin", reverse("organizers:suspend", args=[active.pk]), {}, "organizer.suspend"
        ),
        "reactivate": Write(
            "admin",
            reverse("organizers:reactivate", args=[world["suspended"].pk]),
            {},
            "organizer.reactivate",
        ),
        "delete": Write(
            "admin", reverse("organizers:delete", args=[active.pk]), {}, "organizer.delete"
        ),
        "recheck": Write(
            "admin", reverse("organizers:recheck", args=[active.pk]), {}, "organizer.recheck"
        ),
        "bulk suspend": Write(
            "admin",
            reverse("organizers:bulk_action"),
            {"action": "suspend", "organizers": [active.pk], "confirmed": "on"},
            "organizer.suspend",
        ),
        "import start": Write(
            "admin", reverse("organizers:import_preview", args=[world["job"].pk]), {}
        ),
        "meeting create": Write(
            "organizer", reverse("meetings:create"), _meeting_form(), "meeting.create"
        ),
        "meeting update": Write(
            "organizer",
            reverse("meetings:update", args=[meeting.pk]),
            _meeting_form("Changed subject"),
            "meeting.update",
        ),
        "meeting delete": Write(
            "organizer", reverse("meetings:delete", args=[meeting.pk]), {}, "meeting.delete"
        ),
        "meeting start": Write(
            "organizer", reverse("meetings:start", args=[meeting.pk]), {}, "meeting.start"
        ),
    }


WRITES = [
    "invite",
    "suspend",
    "reactivate",
    "delete",
    "recheck",
    "bulk suspend",
    "import start",
    "meeting create",
    "meeting update",
    "meeting delete",
    "meeting start",
]
# Starting an import sends nothing to GoTo from the page (the task does, falling back to the
# service connection): the page checks only that the uploader holds a sign-in.
CASES = [(name, "missing") for name in WRITES] + [
    (name, "revoked") for name in WRITES if name != "import start"
]


def _cache_state(world) -> tuple:
    return (
        sorted(Organizer.objects.values_list("email", "status", "deleted_at")),
        sorted(Meeting.objects.values_list("meeting_id", "subject", "removed_at")),
        ImportJob.objects.get(pk=world["job"].pk).status,
    )


@pytest.mark.parametrize(("name", "kind"), CASES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_missing_or_revoked_sign_in_signs_out_the_same_way_on_every_write(
    client, sandbox_settings, sandbox, admin_user, organizer_user, world, name, kind, htmx
):
    write = _writes(world)[name]
    user = admin_user if write.user == "admin" else organizer_user
    if kind == "revoked":
        store_token(
            user, {"access_token": "revoked", "refresh_token": "revoked", "expires_in": 600}
        )
    client.force_login(user)
    before = _cache_state(world)

    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(write.url, write.data, headers=headers)

    login = reverse("account_login")
    if htmx:
        assert response["HX-Redirect"] == login
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [SIGN_IN_ENDED_MESSAGE]
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("accounts:roles")).status_code == 302  # the session is gone
    assert _cache_state(world) == before
    assert ImportJob.objects.get(pk=world["job"].pk).status == ImportStatus.PREVIEW
    if kind == "revoked":
        failures = AuditEntry.objects.filter(action=write.audited, outcome="failure")
        assert failures.exists(), "the refused write is audited before the sign-out"
        assert all("[" in entry.detail for entry in failures)  # with the client's error
    else:
        assert not AuditEntry.objects.filter(outcome="success").exists()
