"""The login page offers one way in, "Sign in with GoTo"; local passwords are off; the Django
admin signs in through the same page and admits staff only."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_has_one_button_posting_to_the_goto_provider(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<button") == 1
    assert "Sign in with GoTo" in html
    assert f'<form method="post" action="{reverse("goto_login")}">' in html
    assert 'type="password"' not in html


def test_login_page_carries_the_next_page(client):
    response = client.get(reverse("account_login"), {"next": "/portal/audit/"})
    assert 'name="next" value="/portal/audit/"' in response.content.decode()


def test_posting_a_password_to_the_login_page_is_refused(client):
    UserFactory(email="pw@acme.example")
    response = client.post(
        reverse("account_login"), {"login": "pw@acme.example", "password": "secret"}
    )
    assert response.status_code == 403
    assert not response.wsgi_request.user.is_authenticated


def test_there_is_no_local_sign_up():
    with pytest.raises(NoReverseMatch):
        reverse("account_signup")


def test_provider_urls_have_the_expected_names():
    assert reverse("goto_login") == "/accounts/goto/login/"
    assert reverse("goto_callback") == "/accounts/goto/login/callback/"


def test_get_on_the_provider_url_asks_before_leaving_for_goto(client):
    response = client.get(reverse("goto_login"))
    assert response.status_code == 200
    assert b"Continue to GoTo" in response.content
    assert b'<link rel="stylesheet" href="/static/portal/portal.css">' in response.content


def test_post_to_the_provider_url_goes_to_the_authorize_page(client, settings):
    response = client.post(reverse("goto_login"))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.GOTO_AUTHORIZE_URL + "?")


def test_django_admin_login_goes_through_the_portal_login(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_django_admin_admits_staff(client):
    client.force_login(UserFactory(email="root@acme.example", is_staff=True, is_superuser=True))
    assert client.get("/django-admin/").status_code == 200


def test_django_admin_refuses_non_staff(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/django-admin/login/")
    assert response.status_code == 403
