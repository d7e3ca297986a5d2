"""The organizer page: identity, status, products, last meetings, attendee totals, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditOutcome
from tests.factories import MeetingInstanceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


def test_detail_shows_the_organizer_meetings_totals_and_audit(client_for, admin_user):
    organizer = OrganizerFactory(
        organizer_key=777001,
        email="ada@acme.example",
        first_name="Ada",
        last_name="Lovelace",
        products="G2M,G2W",
        status="suspended",
    )
    other = OrganizerFactory()
    now = timezone.now()
    MeetingInstanceFactory(
        organizer=organizer,
        subject="Board review",
        num_attendees=7,
        attendee_minutes=300,
        start_time=now - timedelta(days=1),
    )
    MeetingInstanceFactory(
        organizer=organizer,
        subject="Kick-off",
        num_attendees=3,
        attendee_minutes=90,
        start_time=now - timedelta(days=10),
    )
    MeetingInstanceFactory(organizer=other, subject="Not hers", num_attendees=50)
    audit_record(
        actor=admin_user, action=AuditAction.ORGANIZER_SUSPEND, target=organizer, detail="x"
    )
    audit_record(
        actor=admin_user,
        action=AuditAction.ORGANIZER_SUSPEND,
        target=other,
        outcome=AuditOutcome.FAILURE,
        detail="someone else",
    )
    response = client_for(admin_user).get(reverse("organizers:detail", args=[organizer.pk]))
    assert response.status_code == 200
    detail = response.context["detail"]
    assert [m.subject for m in detail.recent_instances] == ["Board review", "Kick-off"]
    assert (detail.meetings_held, detail.attendees_total, detail.attendee_minutes_total) == (
        2,
        10,
        390,
    )
    assert [e.action for e in detail.audit_entries] == ["organizer.suspend"]
    html = response.content.decode()
    for text in (
        "777001",
        "ada@acme.example",
        "Ada",
        "Lovelace",
        "G2M, G2W",
        "Suspended",
        "Board review",
    ):
        assert text in html
    assert "Not hers" not in html and "someone else" not in html


def test_pending_organizer_has_no_key_and_no_suspend_button(client_for, admin_user):
    organizer = OrganizerFactory(organizer_key=None)
    html = (
        client_for(admin_user)
        .get(reverse("organizers:detail", args=[organizer.pk]))
        .content.decode()
    )
    assert "pending confirmation" in html
    assert reverse("organizers:suspend", args=[organizer.pk]) not in html
    assert reverse("organizers:recheck", args=[organizer.pk]) in html


def test_unknown_organizer_is_404(client_for, admin_user):
    assert (
        client_for(admin_user).get(reverse("organizers:detail", args=[999999])).status_code == 404
    )
