"""portal.scoping, the one place every selector asks what a user may see: access fails closed,
and a user's kept scope follows a change of their groups."""

from __future__ import annotations

import pytest

from portal import scoping
from tests.factories import GroupFactory, MeetingInstanceFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings():
    sales, support = GroupFactory(name="Sales"), GroupFactory(name="Support")
    mine = OrganizerFactory(group=sales, organizer_key=9000003)
    other = OrganizerFactory(group=support)
    return {
        "sales": sales,
        "support": support,
        "mine": MeetingInstanceFactory(
            organizer=mine, organizer_key=mine.organizer_key, group=sales
        ),
        "other": MeetingInstanceFactory(
            organizer=other, organizer_key=other.organizer_key, group=support
        ),
    }


def test_each_role_sees_its_own_share(admin_user, manager_user, organizer_user, meetings):
    assert set(scoping.scoped_instances(admin_user)) == {meetings["mine"], meetings["other"]}
    manager_user.managed_groups.add(meetings["support"])
    assert list(scoping.scoped_instances(manager_user)) == [meetings["other"]]
    assert list(scoping.scoped_instances(organizer_user)) == [meetings["mine"]]


def test_without_portal_access_nobody_sees_anything(admin_user, organizer_user, meetings):
    for user in (admin_user, organizer_user):
        user.portal_access = False
        assert not scoping.scoped_instances(user, include_own=True).exists()
        assert not scoping.scoped_live_meetings(user).exists()
        assert not scoping.owned_meetings(user).exists()
        assert not scoping.visible_organizers(user).exists()


def test_a_role_the_portal_does_not_know_sees_nothing(manager_user, meetings):
    manager_user.role = "auditor"
    assert scoping.visible_group_ids(manager_user) == set()
    assert not scoping.scoped_instances(manager_user).exists()


def test_the_kept_scope_follows_the_users_groups(manager_user, meetings):
    assert scoping.visible_group_ids(manager_user) == set()  # read, and kept
    manager_user.managed_groups.add(meetings["sales"])
    assert scoping.visible_group_ids(manager_user) == {meetings["sales"].pk}
    manager_user.managed_groups.remove(meetings["sales"])
    assert scoping.visible_group_ids(manager_user) == set()
    manager_user.role = "admin"  # a role change is seen too
    assert scoping.visible_group_ids(manager_user) is None
