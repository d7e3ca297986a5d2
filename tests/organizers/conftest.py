"""Fixtures of the organizers tests: the cache filled from the sandbox, as a sync would."""

from __future__ import annotations

import pytest
from django.utils import timezone

from organizers.models import Group, Organizer


def mirror_account(client) -> dict[str, Organizer]:
    """Copy the sandbox's groups and organizers into the cache (test set-up, not the sync)."""
    now = timezone.now()
    groups = client.get_groups()
    by_key = {}
    for g in groups:
        by_key[g.group_key] = Group.objects.create(
            group_key=g.group_key, name=g.name, status=g.status, synced_at=now
        )
    for g in groups:
        if g.parent_key in by_key:
            Group.objects.filter(group_key=g.group_key).update(parent=by_key[g.parent_key])
    organizers = {}
    for o in client.get_organizers():
        organizers[o.email] = Organizer.objects.create(
            organizer_key=o.organizer_key,
            email=o.email,
            first_name=o.first_name,
            last_name=o.last_name,
            group=by_key.get(o.group_key),
            status=o.status.value if o.status else "active",
            products=",".join(p.value for p in o.products),
            max_attendees=o.max_attendees,
            synced_at=now,
        )
    return organizers


def sandbox_organizer(sandbox, email: str) -> dict | None:
    """The sandbox's own record of an organizer (its state file), or None."""
    for organizer in sandbox.state()["organizers"]:
        if organizer["email"].lower() == email.lower():
            return organizer
    return None


@pytest.fixture
def admin_api(goto_client):
    """A real client for the sandbox's account admin (no waiting between retries)."""
    return goto_client("admin@acme.example")


@pytest.fixture
def cached(db, admin_api):
    """The cache filled with the sandbox's groups and organizers; emails -> Organizer."""
    return mirror_account(admin_api)


@pytest.fixture
def signed_in_admin(client_for, admin_user, with_sandbox_token, sandbox_settings):
    """The test client signed in as an Admin whose stored GoTo token is the sandbox admin's."""
    with_sandbox_token(admin_user, "admin@acme.example")
    return client_for(admin_user)
