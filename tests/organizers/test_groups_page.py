"""The groups page: the account's groups as a tree, with organizer counts per status."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from organizers.selectors import group_tree
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = GroupFactory(name="Acme")
    sales = GroupFactory(name="Sales", parent=root)
    emea = GroupFactory(name="EMEA", parent=sales)
    support = GroupFactory(name="Support", parent=root)
    OrganizerFactory.create_batch(2, group=sales)
    OrganizerFactory(group=sales, status="suspended")
    OrganizerFactory(group=sales, organizer_key=None)
    OrganizerFactory(group=sales, deleted_at=timezone.now())
    OrganizerFactory(group=emea, status="suspended")
    return {"root": root, "sales": sales, "emea": emea, "support": support}


def test_tree_puts_children_under_their_parent_with_depth(admin_user, tree):
    nodes = group_tree(admin_user)
    assert [(n.group.name, n.depth) for n in nodes] == [
        ("Acme", 0),
        ("Sales", 1),
        ("EMEA", 2),
        ("Support", 1),
    ]


def test_counts_per_status(admin_user, tree):
    by_name = {n.group.name: n for n in group_tree(admin_user)}
    sales = by_name["Sales"]
    assert (sales.active, sales.suspended, sales.pending, sales.deleted) == (2, 1, 1, 1)
    assert (by_name["EMEA"].active, by_name["EMEA"].suspended) == (0, 1)
    assert by_name["Support"].total == 0


def test_scoped_manager_sees_only_their_branch_as_roots(manager_user, tree):
    manager_user.managed_groups.add(tree["sales"])
    assert [(n.group.name, n.depth) for n in group_tree(manager_user)] == [
        ("Sales", 0),
        ("EMEA", 1),
    ]


def test_page_links_each_group_to_its_organizers_and_dashboard(client_for, admin_user, tree):
    response = client_for(admin_user).get(reverse("organizers:groups"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/organizers/?group={tree["emea"].pk}"' in html
    dashboard = reverse("meetings:dashboard")
    assert f'href="{dashboard}?group={tree["emea"].pk}"' in html


def test_page_renders_when_the_dashboard_url_does_not_exist(client_for, admin_user, tree, settings):
    settings.ROOT_URLCONF = "tests.organizers.urls_without_meetings"
    response = client_for(admin_user).get("/organizers/groups/")
    assert response.status_code == 200
    assert "Dashboard</a>" not in response.content.decode()
    assert "Sales" in response.content.decode()


def test_empty_state(client_for, admin_user):
    response = client_for(admin_user).get(reverse("organizers:groups"))
    assert "No groups in the portal yet." in response.content.decode()
