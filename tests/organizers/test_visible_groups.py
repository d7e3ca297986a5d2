"""Group scoping: which groups and organizers each role sees."""

from __future__ import annotations

import pytest

from portal.scoping import visible_group_ids, visible_organizers
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = GroupFactory(name="Root")
    sales = GroupFactory(name="Sales", parent=root)
    emea = GroupFactory(name="Sales EMEA", parent=sales)
    paris = GroupFactory(name="Sales Paris", parent=emea)
    support = GroupFactory(name="Support", parent=root)
    return {"root": root, "sales": sales, "emea": emea, "paris": paris, "support": support}


def test_admin_sees_all_groups(admin_user, tree):
    assert visible_group_ids(admin_user) is None


def test_manager_without_any_group_sees_no_group(manager_user, tree):
    # Fails closed: an unknown scope is nothing, never the whole account.
    assert visible_group_ids(manager_user) == set()
    assert not visible_organizers(manager_user).exists()


def test_unknown_role_sees_no_group(manager_user, tree):
    manager_user.role = "auditor"  # a role this code does not know
    assert visible_group_ids(manager_user) == set()


def test_scoped_manager_sees_managed_groups_and_all_descendants(manager_user, tree):
    manager_user.managed_groups.add(tree["sales"])
    assert visible_group_ids(manager_user) == {
        tree["sales"].id,
        tree["emea"].id,
        tree["paris"].id,
    }


def test_manager_scoped_to_two_branches_sees_both(manager_user, tree):
    manager_user.managed_groups.add(tree["paris"], tree["support"])
    assert visible_group_ids(manager_user) == {tree["paris"].id, tree["support"].id}


def test_organizer_sees_no_group(organizer_user, tree):
    assert visible_group_ids(organizer_user) == set()


def test_user_without_portal_access_sees_no_group(outsider_user, tree):
    outsider_user.role = "admin"
    assert visible_group_ids(outsider_user) == set()


def test_visible_organizers_follow_the_manager_scope(manager_user, tree):
    inside = OrganizerFactory(group=tree["emea"])
    outside = OrganizerFactory(group=tree["support"])
    ungrouped = OrganizerFactory(group=None)
    manager_user.managed_groups.add(tree["sales"])
    assert list(visible_organizers(manager_user)) == [inside]
    manager_user.managed_groups.add(tree["root"])
    assert set(visible_organizers(manager_user)) == {inside, outside}
    manager_user.managed_groups.clear()
    assert not visible_organizers(manager_user).exists()
    assert ungrouped.group is None  # an organizer in no group is seen by Admins only


def test_cycle_in_parents_does_not_loop_forever(manager_user, tree):
    tree["root"].parent = tree["paris"]
    tree["root"].save()
    manager_user.managed_groups.add(tree["sales"])
    assert tree["root"].id in visible_group_ids(manager_user)
