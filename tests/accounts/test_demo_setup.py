"""``manage.py demo_setup`` makes the demo Admin and a Manager scoped to one group, idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import AuditEntry, Role, User
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creates_admin_and_manager_scoped_to_sales():
    GroupFactory(name="Engineering")
    sales = GroupFactory(name="Sales")
    call_command("demo_setup")
    admin = User.objects.get(email="admin@acme.example")
    manager = User.objects.get(email="manager@acme.example")
    assert admin.role == Role.ADMIN and admin.portal_access
    assert manager.role == Role.MANAGER
    assert list(manager.managed_groups.all()) == [sales]
    assert not manager.has_usable_password()


def test_without_sales_the_manager_gets_the_first_group():
    GroupFactory(name="Support")
    first = GroupFactory(name="Engineering")
    call_command("demo_setup")
    manager = User.objects.get(email="manager@acme.example")
    assert list(manager.managed_groups.all()) == [first]


def test_running_twice_changes_nothing_more():
    GroupFactory(name="Sales")
    call_command("demo_setup")
    users, entries = User.objects.count(), AuditEntry.objects.count()
    call_command("demo_setup")
    assert User.objects.count() == users
    assert AuditEntry.objects.count() == entries


def test_existing_rows_are_updated_not_duplicated():
    UserFactory(email="manager@acme.example", role="organizer")
    call_command("demo_setup")
    assert User.objects.filter(email__iexact="manager@acme.example").count() == 1
    assert User.objects.get(email="manager@acme.example").role == Role.MANAGER


def test_without_groups_the_manager_sees_nothing_until_run_again_after_the_sync():
    from portal.scoping import visible_group_ids

    call_command("demo_setup")  # before the first sync: no group cached
    manager = User.objects.get(email="manager@acme.example")
    assert manager.role == Role.MANAGER
    assert not manager.managed_groups.exists()
    assert visible_group_ids(manager) == set()  # not the whole account
    sales = GroupFactory(name="Sales")
    GroupFactory(name="Support")
    call_command("demo_setup")  # make demo runs it again after its first sync
    manager = User.objects.get(email="manager@acme.example")
    assert visible_group_ids(manager) == {sales.pk}


def test_changes_are_audit_logged_as_system():
    GroupFactory(name="Sales")
    call_command("demo_setup")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"user.create", "role.change", "role.scope"} <= actions
    assert set(AuditEntry.objects.values_list("actor_label", flat=True)) == {"system"}
