"""Every page shares the layout: navigation by role, and which API the portal talks to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.navigation import nav_for


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_navigation_hides_admin_pages_from_managers_and_organizers(
    admin_user, manager_user, organizer_user
):
    def labels(user):
        return {item["label"] for item in nav_for(user, "/")}

    assert not {"Organizers", "Groups", "Audit log", "Sync status"} & labels(manager_user)
    assert not {"Dashboards", "Organizers", "Audit log"} & labels(organizer_user)
    assert labels(organizer_user) <= labels(manager_user) <= labels(admin_user)


@pytest.mark.django_db
def test_footer_says_which_api_the_portal_talks_to(client_for, organizer_user, settings):
    settings.GOTO_USES_SANDBOX = True
    response = client_for(organizer_user).get("/", follow=True)
    assert b"GoTo sandbox" in response.content


@pytest.mark.django_db
def test_only_admins_see_the_api_base_url(client_for, admin_user, settings):
    settings.GOTO_API_BASE_URL = "https://api.example.test/G2M/rest"
    for page in ("/", reverse("sync:status")):
        response = client_for(admin_user).get(page, follow=True)
        assert response.status_code == 200
        assert b"https://api.example.test/G2M/rest" in response.content, page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "manager_user", "organizer_user"])
def test_sign_in_page_and_other_roles_pages_do_not_show_the_api_base_url(
    client, who, request, settings
):
    settings.GOTO_API_BASE_URL = "https://api.example.test/G2M/rest"
    if who == "anonymous":
        pages = [reverse("account_login"), "/health/"]
    else:
        client.force_login(request.getfixturevalue(who))
        pages = ["/", "/health/"]
    for page in pages:
        response = client.get(page, follow=True)
        assert response.status_code in (200, 503), page
        assert b"api.example.test" not in response.content, page


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
