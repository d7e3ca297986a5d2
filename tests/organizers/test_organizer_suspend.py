"""Suspending and reactivating one organizer: through GoTo, then the cache, then the audit log;
failures (already suspended, unknown key, rate limited, not admin, pending) change nothing."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from organizers import services
from organizers.models import Organizer
from tests.factories import OrganizerFactory
from tests.organizers.conftest import sandbox_organizer

pytestmark = pytest.mark.django_db

EMAIL = "organizer@acme.example"


def _snapshot(organizer):
    fresh = Organizer.objects.get(pk=organizer.pk)
    return (fresh.status, fresh.synced_at, fresh.deleted_at, fresh.organizer_key)


def test_suspend_suspends_at_goto_and_in_the_cache(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    services.organizer_suspend(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "suspended"
    assert Organizer.objects.get(pk=organizer.pk).status == "suspended"
    entry = AuditEntry.objects.get(action="organizer.suspend")
    assert (entry.outcome, entry.target_id, entry.detail) == (
        "success",
        str(organizer.pk),
        "Status active → suspended.",
    )
    assert entry.changes == {"status": {"before": "active", "after": "suspended"}}


def test_reactivate_makes_a_suspended_organizer_active(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    services.organizer_suspend(client=admin_api, organizer=organizer, acting_user=admin_user)
    services.organizer_reactivate(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "active"
    assert Organizer.objects.get(pk=organizer.pk).status == "active"
    entry = AuditEntry.objects.get(action="organizer.reactivate")
    assert entry.outcome == "success"
    assert entry.changes_text() == "status: suspended → active"


def test_suspending_an_already_suspended_organizer_is_refused_without_calling_goto(
    sandbox, admin_api, admin_user, cached
):
    organizer = cached[EMAIL]
    services.organizer_suspend(client=admin_api, organizer=organizer, acting_user=admin_user)
    before, calls = _snapshot(organizer), admin_api.calls_made
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_suspend(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert caught.value.message.endswith("it is already suspended.")
    assert admin_api.calls_made == calls
    assert _snapshot(organizer) == before
    assert AuditEntry.objects.filter(action="organizer.suspend", outcome="failure").count() == 1


def test_reactivating_an_active_organizer_is_refused(admin_api, admin_user, cached):
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_reactivate(
            client=admin_api, organizer=cached[EMAIL], acting_user=admin_user
        )
    assert caught.value.message.endswith("it is already active.")


def test_unknown_key_is_a_404_message_and_changes_nothing(sandbox, admin_api, admin_user, cached):
    ghost = OrganizerFactory(organizer_key=4242424242, email="ghost@acme.example")
    before = _snapshot(ghost)
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_suspend(client=admin_api, organizer=ghost, acting_user=admin_user)
    assert "GoTo does not know it (404)" in caught.value.message
    assert _snapshot(ghost) == before
    entry = AuditEntry.objects.get(action="organizer.suspend")
    assert entry.outcome == "failure" and "404" in entry.detail


def test_rate_limited_suspend_changes_nothing(sandbox, admin_api, admin_user, cached):
    organizer = cached[EMAIL]
    before = _snapshot(organizer)
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_suspend(client=admin_api, organizer=organizer, acting_user=admin_user)
    assert "(429)" in caught.value.message
    assert _snapshot(organizer) == before
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "active"


def test_rate_limit_on_at_the_sandbox_is_survived_by_the_client_retries(
    sandbox, goto_client, admin_user, cached
):
    patient = goto_client("admin@acme.example", sleep=time.sleep)  # obeys Retry-After
    sandbox.faults(rate_limit=True, rate_limit_per_second=1)
    patient.get_groups()  # uses up this second's request
    services.organizer_suspend(client=patient, organizer=cached[EMAIL], acting_user=admin_user)
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "suspended"


def test_non_admin_token_gets_a_403_message(sandbox, goto_client, admin_user, cached):
    organizer = cached[EMAIL]
    before = _snapshot(organizer)
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_suspend(
            client=goto_client("manager@acme.example"), organizer=organizer, acting_user=admin_user
        )
    assert "by a GoTo account admin only" in caught.value.message
    assert _snapshot(organizer) == before


def test_pending_organizer_cannot_be_suspended(admin_api, admin_user, cached):
    pending = Organizer.objects.filter(organizer_key__isnull=True).first()
    with pytest.raises(services.OrganizerActionError) as caught:
        services.organizer_suspend(client=admin_api, organizer=pending, acting_user=admin_user)
    assert "has not confirmed its invitation yet" in caught.value.message


def test_suspend_page_asks_first_then_suspends(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    url = reverse("organizers:suspend", args=[organizer.pk])
    page = signed_in_admin.get(url)
    assert "Suspend Olive Organizer (organizer@acme.example)?" in page.content.decode()
    assert Organizer.objects.get(pk=organizer.pk).status == "active"
    response = signed_in_admin.post(url, {"next": "/organizers/?q=olive"})
    assert response.status_code == 302 and response["Location"] == "/organizers/?q=olive"
    assert Organizer.objects.get(pk=organizer.pk).status == "suspended"


def test_suspend_page_ignores_a_next_url_to_another_site(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    response = signed_in_admin.post(
        reverse("organizers:suspend", args=[organizer.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("organizers:detail", args=[organizer.pk])


def test_htmx_suspend_swaps_the_row(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    response = signed_in_admin.post(
        reverse("organizers:suspend", args=[organizer.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith("<tr") and "badge-suspended" in html
    assert reverse("organizers:reactivate", args=[organizer.pk]) in html


def test_htmx_failure_shows_the_message_in_the_row(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    sandbox.faults(fail_next=[500])
    response = signed_in_admin.post(
        reverse("organizers:suspend", args=[organizer.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'role="alert"' in html and "GoTo had a server error (500)" in html
    assert "badge-active" in html
    assert Organizer.objects.get(pk=organizer.pk).status == "active"


def test_page_failure_is_a_message_on_the_next_page(signed_in_admin, sandbox, cached):
    organizer = cached[EMAIL]
    sandbox.faults(fail_next=[429, 429, 429, 429, 429])
    response = signed_in_admin.post(reverse("organizers:suspend", args=[organizer.pk]), follow=True)
    assert "limiting how fast the portal may call it (429)" in response.content.decode()


def test_manager_cannot_suspend_organizer(client_for, manager_user, cached, sandbox):
    organizer = cached[EMAIL]
    response = client_for(manager_user).post(reverse("organizers:suspend", args=[organizer.pk]))
    assert response.status_code == 403
    assert sandbox_organizer(sandbox, EMAIL)["status"] == "active"
