"""Audit actions are one enum (``AuditAction``, named ``<object>.<verb>``): ``audit_record``
refuses anything else, entries stored under the old names are renamed by the migration (the
filter by action still finds them), and each change's before/after values are stored as data
and shown — escaped — on the audit page and in its CSV."""

from __future__ import annotations

import csv
import importlib
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.audit import audit_changes, audit_record
from accounts.models import AuditAction, AuditEntry, Role
from accounts.services import service_connection_set, user_access_update
from accounts.tokens import store_token
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit_log")
MIGRATION = importlib.import_module("accounts.migrations.0004_audit_actions_and_changes")


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("action", ["organizer.invite", "organizers.import", "no.such", ""])
def test_audit_record_refuses_anything_but_an_audit_action(admin_user, action):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(actor=admin_user, action=action, target_label="x")
    assert not AuditEntry.objects.exists()


def test_every_action_follows_one_naming_scheme():
    for action in AuditAction:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", action.value), action
        thing = action.value.split(".")[0]
        assert thing == "access" or not thing.endswith("s"), f"{action}: one object, singular"
    for wanted in (
        "digest.subscribe",
        "digest.unsubscribe",
        "api_token.create",
        "api_token.revoke",
    ):
        assert wanted in AuditAction.values


def test_the_migration_renames_old_names_and_the_filter_finds_them(client_for, admin_user):
    old_names = list(MIGRATION.RENAMED)
    for name in [*old_names, "organizer.invite"]:
        AuditEntry.objects.create(actor_label="old", action=name, outcome="success")
    MIGRATION.rename_forwards(apps, None)
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == sorted(
        [*MIGRATION.RENAMED.values(), "organizer.invite"]
    )
    assert set(MIGRATION.RENAMED.values()) <= set(AuditAction.values)
    client = client_for(admin_user)
    for new_name in MIGRATION.RENAMED.values():
        page = client.get(URL, {"action": new_name})
        assert page.status_code == 200
        assert [e.action for e in page.context["page"].object_list] == [new_name]
    MIGRATION.rename_backwards(apps, None)
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        *old_names,
        "organizer.invite",
    }


def test_an_unknown_action_in_the_filter_is_an_error(client_for, admin_user):
    response = client_for(admin_user).get(URL, {"action": "organizers.import"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_role_scope_and_access_changes_are_stored_before_and_after(admin_user, organizer_user):
    sales, support = GroupFactory(name="Sales"), GroupFactory(name="Support")
    user_access_update(
        user=organizer_user,
        role=Role.MANAGER,
        portal_access=True,
        managed_groups=[support, sales],
        acting_user=admin_user,
    )
    user_access_update(
        user=organizer_user,
        role=Role.MANAGER,
        portal_access=False,
        managed_groups=[sales, support],
        acting_user=admin_user,
    )
    changes = {e.action: e.changes for e in AuditEntry.objects.all()}
    assert changes["role.change"] == {"role": {"before": "organizer", "after": "manager"}}
    assert changes["role.scope"] == {"groups": {"before": [], "after": ["Sales", "Support"]}}
    assert changes["access.revoke"] == {"portal_access": {"before": True, "after": False}}
    scope = AuditEntry.objects.get(action="role.scope")
    assert scope.changes_text() == "groups: (none) → Sales, Support"


def test_a_service_connection_change_is_stored_before_and_after(admin_user):
    other = UserFactory(email="other.admin@acme.example", role="admin", organizer_key=9000009)
    store_token(other, {"access_token": "a", "refresh_token": "r", "expires_in": 3600})
    service_connection_set(admin=other, acting_user=admin_user)
    entry = AuditEntry.objects.get(action="service_connection.change")
    assert entry.changes == {"admin": {"before": None, "after": "other.admin@acme.example"}}


def test_changes_are_shown_escaped_on_the_page_and_as_a_csv_column(client_for, admin_user):
    audit_record(
        actor=admin_user,
        action=AuditAction.MEETING_UPDATE,
        target_label="Weekly",
        changes=audit_changes(
            {"subject": 'Old "quoted" <b>', "meeting_type": "scheduled"},
            {"subject": "<script>alert(1)</script>", "meeting_type": "scheduled"},
        ),
    )
    client = client_for(admin_user)
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert (
        "<div>subject: Old &quot;quoted&quot; &lt;b&gt; → &lt;script&gt;alert(1)&lt;/script&gt;"
        "</div>"
    ) in html
    assert "meeting_type" not in html  # unchanged fields are not listed
    header = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert "<th>Changes</th>" in header
    rows = _csv(client.get(URL, {"export": "csv"}))
    assert rows[0]["Changes"] == 'subject: Old "quoted" <b> → <script>alert(1)</script>'
    assert list(rows[0])[-2:] == ["Changes", "Request id"]
