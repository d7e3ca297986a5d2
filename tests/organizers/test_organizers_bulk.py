"""Bulk suspend and reactivate: rows chosen with checkboxes, a confirmation page, then each
organizer through the same service; failures are reported per organizer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from organizers import services
from organizers.models import Organizer
from tests.organizers.conftest import sandbox_organizer

pytestmark = pytest.mark.django_db

EMAILS = ["organizer@acme.example", "manager@acme.example"]
URL = reverse("organizers:bulk_action")


def _statuses(emails):
    return {o.email: o.status for o in Organizer.objects.filter(email__in=emails)}


def test_bulk_suspend_suspends_each_organizer(sandbox, admin_api, admin_user, cached):
    chosen = [cached[e] for e in EMAILS]
    result = services.organizers_suspend_bulk(
        client=admin_api, organizers=chosen, acting_user=admin_user
    )
    assert len(result.succeeded) == 2 and not result.failed
    assert _statuses(EMAILS) == dict.fromkeys(EMAILS, "suspended")
    assert all(sandbox_organizer(sandbox, e)["status"] == "suspended" for e in EMAILS)
    assert AuditEntry.objects.filter(action="organizer.suspend", outcome="success").count() == 2
    assert AuditEntry.objects.get(action="organizer.bulk_suspend").detail == "2 done, 0 failed."


def test_one_already_suspended_does_not_stop_the_others(sandbox, admin_api, admin_user, cached):
    services.organizer_suspend(
        client=admin_api, organizer=cached[EMAILS[0]], acting_user=admin_user
    )
    result = services.organizers_suspend_bulk(
        client=admin_api, organizers=[cached[e] for e in EMAILS], acting_user=admin_user
    )
    assert [o.organizer.email for o in result.failed] == [EMAILS[0]]
    assert result.failed[0].message.endswith("it is already suspended.")
    assert [o.organizer.email for o in result.succeeded] == [EMAILS[1]]


def test_rate_limit_stops_the_rest_and_changes_nothing(sandbox, admin_api, admin_user, cached):
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    result = services.organizers_suspend_bulk(
        client=admin_api, organizers=[cached[e] for e in EMAILS], acting_user=admin_user
    )
    assert not result.succeeded
    assert "(429)" in result.failed[0].message
    assert result.failed[1].message == (
        "Not attempted: GoTo is limiting how fast the portal may call it (429)."
    )
    assert _statuses(EMAILS) == dict.fromkeys(EMAILS, "active")
    assert all(sandbox_organizer(sandbox, e)["status"] == "active" for e in EMAILS)


def test_bulk_reactivate(sandbox, admin_api, admin_user, cached):
    chosen = [cached[e] for e in EMAILS]
    services.organizers_suspend_bulk(client=admin_api, organizers=chosen, acting_user=admin_user)
    result = services.organizers_reactivate_bulk(
        client=admin_api, organizers=chosen, acting_user=admin_user
    )
    assert [o.message for o in result.outcomes] == ["Reactivated.", "Reactivated."]
    assert _statuses(EMAILS) == dict.fromkeys(EMAILS, "active")


def test_bulk_page_confirms_first_then_acts(signed_in_admin, sandbox, cached):
    pks = [cached[e].pk for e in EMAILS]
    page = signed_in_admin.post(
        URL, {"action": "suspend", "organizers": pks, "next": "/organizers/"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Suspend 2 organizers?" in html and "Olive" in html and "Max" in html
    assert _statuses(EMAILS) == dict.fromkeys(EMAILS, "active")
    done = signed_in_admin.post(
        URL,
        {"action": "suspend", "organizers": pks, "confirmed": "on", "next": "/organizers/"},
        follow=True,
    )
    assert "Suspended 2 organizer(s)." in done.content.decode()
    assert _statuses(EMAILS) == dict.fromkeys(EMAILS, "suspended")


def test_bulk_page_reports_each_failure(signed_in_admin, sandbox, cached):
    pks = [cached[e].pk for e in EMAILS]
    sandbox.faults(fail_next=[500])
    response = signed_in_admin.post(
        URL, {"action": "suspend", "organizers": pks, "confirmed": "on"}, follow=True
    )
    html = response.content.decode()
    assert "Suspended 1 organizer(s)." in html
    assert "GoTo had a server error (500)" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "suspend"}, "Select at least one organizer."),
        ({"action": "explode", "organizers": ["1"]}, "Select a valid choice."),
        ({"action": "suspend", "organizers": ["999999"]}, "Select a valid choice."),
    ],
)
def test_bad_bulk_input_is_a_message_and_changes_nothing(signed_in_admin, cached, data, message):
    audit_before = AuditEntry.objects.count()
    response = signed_in_admin.post(URL, data, follow=True)
    assert message in response.content.decode()
    assert AuditEntry.objects.count() == audit_before
    assert (
        not Organizer.objects.filter(status="suspended")
        .exclude(pk__in=[o.pk for o in cached.values() if o.status == "suspended"])
        .exists()
    )


def test_manager_cannot_bulk_suspend(client_for, manager_user, cached, sandbox):
    response = client_for(manager_user).post(
        URL, {"action": "suspend", "organizers": [cached[EMAILS[0]].pk], "confirmed": "on"}
    )
    assert response.status_code == 403
    assert sandbox_organizer(sandbox, EMAILS[0])["status"] == "active"


def test_a_sign_in_ending_part_way_keeps_what_was_done_and_audits_it_as_a_failure(admin_user):
    """GoTo refuses the sign-in on the second of three: the first stays done, the batch entry
    says so (a failure, "1 done, 2 failed"), the third is not attempted, then the sign-out."""
    from accounts.models import AuditAction
    from accounts.tokens import TokenRevoked
    from tests.factories import OrganizerFactory

    people = [OrganizerFactory(email=f"p{n}@acme.example") for n in range(3)]
    asked = []

    def suspend(*, client, organizer, acting_user):
        asked.append(organizer.email)
        if len(asked) == 2:
            raise TokenRevoked("refused")

    with pytest.raises(TokenRevoked):
        services._bulk(
            service=suspend,
            verb="suspend",
            action=AuditAction.ORGANIZER_BULK_SUSPEND,
            client=None,
            organizers=people,
            acting_user=admin_user,
        )
    assert asked == ["p0@acme.example", "p1@acme.example"]  # the third never sent
    entry = AuditEntry.objects.get(action="organizer.bulk_suspend")
    assert entry.outcome == "failure"
    assert entry.detail == "1 done, 2 failed. Stopped: the GoTo sign-in ended."
