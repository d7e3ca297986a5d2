"""Every URL of the portal × every role: the status each gets (200, 302 to login, or 403).

Each area lists its URLs in ``tests/<area>/url_roles.py`` as ``URL_ROLES``:
``{"app:name": {"kwargs": {...} | callable() -> dict, "anonymous": 302, "organizer": 403,
"manager": 403, "admin": 200}}``. A URL of the portal with no entry fails this test.

Two Managers walk every URL: "manager", scoped to a group tree that holds every group of the
test's data (a root group above them all), and "manager_no_group", whom no Admin has scoped
yet. The second gets what the first gets unless the entry says otherwise: never more, since a
scope the portal does not know is nothing (pages answer with their empty state, objects 404).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests

ROLES = ("anonymous", "organizer", "manager_no_group", "manager", "admin")
PORTAL_NAMESPACES = {"", "accounts", "organizers", "meetings", "sync", "health", "digests"}
# Third-party URLs the portal mounts but does not own (allauth's own pages, the Django admin).
NOT_OURS = {"admin"}


def _named_urls(resolver=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if (
                inner in NOT_OURS
                or entry.urlconf_name == "allauth.urls"
                or (getattr(entry.urlconf_module, "__name__", "").startswith("allauth"))
            ):
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            names |= _named_urls(entry, prefix)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and namespace.split(":")[0] in PORTAL_NAMESPACES
        ):
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def _all_entries() -> dict[str, dict]:
    entries: dict[str, dict] = {
        "home": {"anonymous": 302, "organizer": 302, "manager": 302, "admin": 302}
    }
    root = Path(tests.__file__).parent
    for module in pkgutil.iter_modules([str(root)]):
        if module.ispkg and (root / module.name / "url_roles.py").exists():
            found = importlib.import_module(f"tests.{module.name}.url_roles").URL_ROLES
            entries.update(found)
    return entries


URL_ENTRIES = _all_entries()


def test_every_portal_url_has_a_permission_entry():
    missing = sorted(_named_urls() - set(URL_ENTRIES))
    assert not missing, f"URLs without an entry in tests/<area>/url_roles.py: {missing}"


def test_every_permission_entry_names_a_real_url():
    stale = sorted(set(URL_ENTRIES) - _named_urls())
    assert not stale, f"Entries for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(URL_ENTRIES))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_the_expected_status(url_name, role, client, request):
    entry = URL_ENTRIES[url_name]
    users = {
        "anonymous": None,
        "organizer": request.getfixturevalue("organizer_user"),
        "manager_no_group": request.getfixturevalue("manager_user"),
        "manager": request.getfixturevalue("manager_user"),
        "admin": request.getfixturevalue("admin_user"),
    }
    kwargs = entry.get("kwargs", {})
    if callable(kwargs):
        kwargs = kwargs()
    if role == "manager":
        _scope_to_a_tree_over_every_group(users[role])
    url = reverse(url_name, kwargs=kwargs)
    if users[role] is not None:
        client.force_login(users[role])
    response = client.get(url)
    expected = entry.get(role, entry["manager"]) if role == "manager_no_group" else entry[role]
    assert response.status_code == expected, f"{role} GET {url}: {response.status_code}"
    if expected == 302 and role == "anonymous":
        assert reverse("account_login") in response["Location"]


def _scope_to_a_tree_over_every_group(manager) -> None:
    """Scope ``manager`` to a new root group with every other top-level group under it."""
    from organizers.models import Group
    from tests.factories import GroupFactory

    root = GroupFactory(name="Whole tree")
    Group.objects.filter(parent__isnull=True).exclude(pk=root.pk).update(parent=root)
    manager.managed_groups.set([root])
