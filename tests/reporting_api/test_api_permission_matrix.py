"""Every URL of the API (namespace ``api``) × every role, each with a token of its own.

The portal's matrix (tests/test_permission_matrix.py) walks the pages with a session; the API
refuses sessions and takes tokens, so it has this matrix of its own, built the same way: a URL
of the API without an entry here fails, and each role gets the status its entry says.

Roles: no token at all; a token of an Organizer, of a Manager scoped to every group, of a
Manager whom no Admin has scoped, of an Admin; and a token whose owner lost portal access since
it was made (401: the token no longer opens anything).
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import UserFactory

EVERYONE = {
    "no_token": 401,
    "organizer": 200,
    "manager_no_group": 200,
    "manager": 200,
    "admin": 200,
    "access_revoked": 401,
}
MANAGERS = {**EVERYONE, "organizer": 403}

API_URL_ROLES = {
    "api:meeting_instances": EVERYONE,
    "api:attendees": EVERYONE,
    "api:organizers": MANAGERS,
    "api:dashboard": MANAGERS,
    "api:sync_freshness": EVERYONE,
    # The OpenAPI document holds no data: a BI tool reads it before it has a token.
    "api:schema": {role: 200 for role in EVERYONE},
}
ROLES = tuple(EVERYONE)


def _api_urls() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "api":
            return {f"api:{pattern.name}" for pattern in entry.url_patterns if pattern.name}
    return set()


def test_every_api_url_has_an_entry():
    urls = _api_urls()
    assert urls, "the API's URLs are not mounted"
    assert urls == set(API_URL_ROLES), (
        f"without an entry: {sorted(urls - set(API_URL_ROLES))}; "
        f"stale: {sorted(set(API_URL_ROLES) - urls)}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(API_URL_ROLES))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_the_expected_status(
    url_name, role, request, make_token, api_get, organizer_user, manager_user, admin_user
):
    from tests.test_permission_matrix import _scope_to_a_tree_over_every_group

    users = {
        "organizer": organizer_user,
        "manager_no_group": manager_user,
        "manager": manager_user,
        "admin": admin_user,
    }
    secret = None
    if role == "manager":
        _scope_to_a_tree_over_every_group(manager_user)
    if role == "access_revoked":
        user = UserFactory(role="manager")
        secret = make_token(user)
        user.portal_access = False
        user.save(update_fields=["portal_access"])
    elif role != "no_token":
        secret = make_token(users[role])
    response = api_get(reverse(url_name), secret)
    expected = API_URL_ROLES[url_name][role]
    assert response.status_code == expected, f"{role} GET {url_name}: {response.status_code}"
    if expected in (401, 403):
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_session_does_not_open_the_api(client, admin_user):
    """The API takes tokens only: a signed-in browser's cookie gets 401, not the data (and no
    CSRF question arises)."""
    client.force_login(admin_user)
    response = client.get(reverse("api:meeting_instances"))
    assert response.status_code == 401


@pytest.mark.django_db
def test_writes_are_not_allowed(make_token, client, admin_user):
    secret = make_token(admin_user)
    response = client.post(
        reverse("api:meeting_instances"),
        {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 405
