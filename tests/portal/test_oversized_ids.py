"""An id past the 64-bit range never reaches the database: in an address it is a 404 like any
id of no row (the view does not run), in a query string or a form it is a form error.

(Handed to the database it was a 500 on SQLite, and on ``/meetings/held/<id>/`` whose page
version is read with raw SQL.)"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404

from accounts.models import AuditEntry, Role
from organizers.models import Organizer
from portal.ids import MAX_ID
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

TOO_BIG = MAX_ID + 1
PORTAL_NAMESPACES = {"accounts", "organizers", "meetings", "sync"}


def _patterns(resolver=None, namespace: str = ""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in PORTAL_NAMESPACES or (namespace and not inner):
                yield from _patterns(entry, f"{namespace}:{inner}" if namespace else inner)
        elif isinstance(entry, URLPattern) and namespace in PORTAL_NAMESPACES:
            yield f"{namespace}:{entry.name}", entry


def _id_urls() -> list[str]:
    return sorted(name for name, entry in _patterns() if "pk" in entry.pattern.converters)


def test_the_portal_has_urls_with_ids():
    assert {"meetings:instance_detail", "organizers:detail", "sync:run_fragment"} <= set(_id_urls())


def test_no_portal_url_reads_an_id_with_the_unbounded_int_converter():
    unbounded = sorted(
        name
        for name, entry in _patterns()
        if any(isinstance(c, IntConverter) for c in entry.pattern.converters.values())
    )
    assert not unbounded, f"use <id:…> (portal.ids.IdConverter) instead of <int:…>: {unbounded}"


@pytest.mark.parametrize("url_name", _id_urls())
def test_oversized_id_in_an_address_is_not_found(client_for, admin_user, url_name):
    path = reverse(url_name, kwargs={"pk": TOO_BIG})
    with pytest.raises(Resolver404):
        resolve(path)  # no view runs, so no query sees the number
    assert client_for(admin_user).get(path).status_code == 404


@pytest.mark.parametrize("url_name", _id_urls())
def test_largest_id_still_reaches_the_view(client_for, admin_user, url_name):
    path = reverse(url_name, kwargs={"pk": MAX_ID})
    assert resolve(path).kwargs == {"pk": MAX_ID}
    assert client_for(admin_user).get(path).status_code == 404  # no such row


@pytest.mark.parametrize(
    ("url_name", "params", "message"),
    [
        ("meetings:dashboard", {"group": TOO_BIG}, "Select a valid choice"),
        ("meetings:dashboard", {"organizer": TOO_BIG}, "Select a valid choice"),
        ("meetings:attendees_report", {"group": TOO_BIG}, "Select a valid choice"),
        ("organizers:list", {"group": TOO_BIG}, "Select a valid choice"),
        ("meetings:my_meetings", {"before": f"2026-03-02T09:00:00,{TOO_BIG}"}, "damaged"),
        ("meetings:dashboard", {"before": f"2026-03-02T09:00:00,{TOO_BIG}"}, "damaged"),
    ],
)
def test_oversized_id_in_a_query_string_is_a_form_error(
    client_for, admin_user, url_name, params, message
):
    response = client_for(admin_user).get(reverse(url_name), params)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()


def test_oversized_id_in_a_bulk_action_is_refused_and_changes_nothing(client_for, admin_user):
    organizer = OrganizerFactory(status="active")
    response = client_for(admin_user).post(
        reverse("organizers:bulk_action"),
        {"action": "suspend", "organizers": [organizer.pk, TOO_BIG], "confirmed": "on"},
        follow=True,
    )
    assert f"“{TOO_BIG}” is not a valid value." in response.content.decode()
    assert Organizer.objects.get(pk=organizer.pk).status == "active"
    assert not AuditEntry.objects.exists()


def test_oversized_group_in_a_managers_scope_is_refused(client_for, admin_user, manager_user):
    GroupFactory()
    response = client_for(admin_user).post(
        reverse("accounts:role_update", kwargs={"pk": manager_user.pk}),
        {
            f"user-{manager_user.pk}-role": "manager",
            f"user-{manager_user.pk}-portal_access": "on",
            f"user-{manager_user.pk}-managed_groups": [TOO_BIG],
        },
    )
    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    manager_user.refresh_from_db()
    assert manager_user.role == Role.MANAGER
    assert not manager_user.managed_groups.exists()
    assert not AuditEntry.objects.exists()
