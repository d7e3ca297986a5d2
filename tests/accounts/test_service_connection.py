"""Admins choose whose GoTo token background work uses; the choice is audited and tested live."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.connections import service_admin, service_connection_status
from accounts.models import AuditEntry, Role
from accounts.tokens import store_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = {"access_token": "a", "refresh_token": "r", "expires_in": 3600}


def test_admin_chooses_the_service_admin_and_the_change_is_audited(admin_user, client_for):
    other = UserFactory(email="second.admin@acme.example", role=Role.ADMIN)
    store_token(admin_user, TOKEN)
    store_token(other, TOKEN)
    assert service_admin() == admin_user  # the first Admin with a token, until one is chosen

    url = reverse("accounts:service_connection")
    response = client_for(admin_user).post(url, {"admin": other.pk}, follow=True)

    assert b"second.admin@acme.example" in response.content
    assert service_admin() == other
    entry = AuditEntry.objects.get(action="service_connection.change")
    assert entry.actor == admin_user and entry.outcome == "success"


def test_an_admin_without_a_token_cannot_be_chosen(admin_user, client_for):
    store_token(admin_user, TOKEN)
    tokenless = UserFactory(email="no.token@acme.example", role=Role.ADMIN)
    url = reverse("accounts:service_connection")
    response = client_for(admin_user).post(url, {"admin": tokenless.pk})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert service_admin() == admin_user
    assert not AuditEntry.objects.filter(action="service_connection.change").exists()


def test_testing_the_connection_asks_the_api(admin_user, client_for, sandbox_settings, sandbox):
    store_token(admin_user, sandbox.token_for("admin@acme.example"))
    page = client_for(admin_user).get(reverse("accounts:service_connection") + "?test=1")
    assert b"working" in page.content
    assert service_connection_status().ok

    # Revoked at GoTo: the access token is refused and the refresh token with it.
    store_token(admin_user, {"access_token": "revoked", "refresh_token": "revoked"})
    status = service_connection_status(probe=True)
    assert not status.ok
    assert not service_connection_status().ok  # the failure is remembered for the status page
