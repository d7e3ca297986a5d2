"""Admins grant and revoke Manager and Admin on the Roles page; every change is audit-logged,
and the last Admin cannot remove their own Admin role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, AuditOutcome, Role
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(client, user, **fields):
    data = {f"user-{user.pk}-{name}": value for name, value in fields.items()}
    return client.post(reverse("accounts:role_update", kwargs={"pk": user.pk}), data)


def test_roles_page_lists_every_user_with_a_form(client_for, admin_user, organizer_user):
    response = client_for(admin_user).get(reverse("accounts:roles"))
    assert response.status_code == 200
    html = response.content.decode()
    assert organizer_user.email in html
    assert reverse("accounts:role_update", kwargs={"pk": organizer_user.pk}) in html
    assert f'name="user-{organizer_user.pk}-role"' in html


def test_roles_page_hides_the_service_account(client_for, admin_user):
    UserFactory(username="__goto_service_account__", email="", is_active=False)
    response = client_for(admin_user).get(reverse("accounts:roles"))
    assert b"__goto_service_account__" not in response.content


def test_admin_grants_manager_and_it_is_audited(client_for, admin_user, organizer_user):
    response = _post(client_for(admin_user), organizer_user, role="manager", portal_access="on")
    assert response.status_code == 302
    organizer_user.refresh_from_db()
    assert organizer_user.role == Role.MANAGER
    entry = AuditEntry.objects.get(action="role.change")
    assert entry.actor == admin_user
    assert entry.target_id == str(organizer_user.pk)
    assert entry.outcome == AuditOutcome.SUCCESS
    assert "organizer → manager" in entry.detail


def test_admin_grants_admin_then_revokes_it(client_for, admin_user, manager_user):
    client = client_for(admin_user)
    _post(client, manager_user, role="admin", portal_access="on")
    manager_user.refresh_from_db()
    assert manager_user.role == Role.ADMIN
    _post(client, manager_user, role="manager", portal_access="on")
    manager_user.refresh_from_db()
    assert manager_user.role == Role.MANAGER
    details = list(
        AuditEntry.objects.filter(action="role.change")
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["manager → admin", "admin → manager"]


def test_manager_is_scoped_to_chosen_groups(client_for, admin_user, manager_user):
    sales, support = GroupFactory(name="Sales"), GroupFactory(name="Support")
    response = _post(
        client_for(admin_user),
        manager_user,
        role="manager",
        portal_access="on",
        managed_groups=[sales.pk, support.pk],
    )
    assert response.status_code == 302
    assert set(manager_user.managed_groups.all()) == {sales, support}
    entry = AuditEntry.objects.get(action="role.scope")
    assert "Sales, Support" in entry.detail


def test_scope_is_cleared_when_a_manager_gets_another_role(client_for, admin_user, manager_user):
    group = GroupFactory()
    manager_user.managed_groups.add(group)
    response = _post(
        client_for(admin_user),
        manager_user,
        role="organizer",
        portal_access="on",
        managed_groups=[group.pk],  # still selected in the row's form
    )
    assert response.status_code == 302
    manager_user.refresh_from_db()
    assert manager_user.role == Role.ORGANIZER
    assert not manager_user.managed_groups.exists()
    assert AuditEntry.objects.get(action="role.scope").detail == "Scoped to: none (not a Manager)"


def test_unknown_group_is_refused_and_changes_nothing(client_for, admin_user, organizer_user):
    response = _post(
        client_for(admin_user),
        organizer_user,
        role="manager",
        portal_access="on",
        managed_groups=[987654],
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    organizer_user.refresh_from_db()
    assert organizer_user.role == Role.ORGANIZER
    assert not AuditEntry.objects.exists()


def test_unknown_role_is_refused(client_for, admin_user, organizer_user):
    response = _post(client_for(admin_user), organizer_user, role="owner", portal_access="on")
    assert response.status_code == 400
    organizer_user.refresh_from_db()
    assert organizer_user.role == Role.ORGANIZER


def test_last_admin_cannot_demote_themself(client_for, admin_user):
    response = _post(client_for(admin_user), admin_user, role="organizer", portal_access="on")
    assert response.status_code == 400
    assert b"last Admin" in response.content
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    failure = AuditEntry.objects.get(action="role.change")
    assert failure.outcome == AuditOutcome.FAILURE
    assert "last Admin" in failure.detail


def test_last_admin_cannot_revoke_their_own_access(client_for, admin_user):
    response = _post(client_for(admin_user), admin_user, role="admin")  # checkbox off
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.portal_access is True
    assert AuditEntry.objects.get(action="access.revoke").outcome == AuditOutcome.FAILURE


def test_an_admin_without_access_does_not_count_as_another_admin(client_for, admin_user):
    UserFactory(email="gone.admin@acme.example", role="admin", portal_access=False)
    response = _post(client_for(admin_user), admin_user, role="manager", portal_access="on")
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_admin_may_step_down_when_another_admin_remains(client_for, admin_user):
    UserFactory(email="second.admin@acme.example", role="admin")
    response = _post(client_for(admin_user), admin_user, role="manager", portal_access="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    admin_user.refresh_from_db()
    assert admin_user.role == Role.MANAGER


def test_revoking_access_is_audited(client_for, admin_user, organizer_user):
    response = _post(client_for(admin_user), organizer_user, role="organizer")
    assert response.status_code == 302
    organizer_user.refresh_from_db()
    assert organizer_user.portal_access is False
    entry = AuditEntry.objects.get(action="access.revoke")
    assert entry.outcome == AuditOutcome.SUCCESS
    assert entry.actor == admin_user


def test_granting_access_back_is_audited(client_for, admin_user, outsider_user):
    _post(client_for(admin_user), outsider_user, role="organizer", portal_access="on")
    outsider_user.refresh_from_db()
    assert outsider_user.portal_access is True
    assert AuditEntry.objects.filter(action="access.grant").count() == 1


def test_saving_without_a_change_records_nothing(client_for, admin_user, organizer_user):
    _post(client_for(admin_user), organizer_user, role="organizer", portal_access="on")
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("fixture", ["manager_user", "organizer_user"])
def test_non_admins_cannot_change_roles(client_for, fixture, request, organizer_user):
    user = request.getfixturevalue(fixture)
    response = _post(client_for(user), organizer_user, role="admin", portal_access="on")
    assert response.status_code == 403
    organizer_user.refresh_from_db()
    assert organizer_user.role == Role.ORGANIZER
    assert not AuditEntry.objects.exists()


def test_unknown_user_is_404(client_for, admin_user):
    response = client_for(admin_user).get(reverse("accounts:role_update", kwargs={"pk": 999999}))
    assert response.status_code == 404
