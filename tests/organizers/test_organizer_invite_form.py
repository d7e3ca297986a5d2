"""The invite form refuses bad input with a clear message, and then nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from organizers.models import Organizer
from tests.factories import GroupFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

URL = reverse("organizers:invite")


@pytest.fixture
def group():
    return GroupFactory(name="Sales")


def _valid(the_group, **changes):
    data = {
        "email": "new.person@acme.example",
        "first_name": "New",
        "last_name": "Person",
        "group": str(the_group.pk),
        "product_type": "G2M",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "two@@acme.example"}, "email", "Enter a valid email address."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"first_name": "   "}, "first_name", "This field is required."),
        ({"last_name": ""}, "last_name", "This field is required."),
        ({"last_name": "x" * 101}, "last_name", "Ensure this value has at most 100 characters"),
        ({"group": ""}, "group", "This field is required."),
        ({"group": "999999"}, "group", "Select a valid choice."),
        ({"product_type": "GOTOWEBINAR"}, "product_type", "Select a valid choice."),
        ({"product_type": ""}, "product_type", "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(
    client_for, admin_user, group, changes, field, message
):
    organizers_before, audit_before = Organizer.objects.count(), AuditEntry.objects.count()
    response = client_for(admin_user).post(URL, _valid(group, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert Organizer.objects.count() == organizers_before
    assert AuditEntry.objects.count() == audit_before


def test_email_already_in_the_portal_is_refused_case_insensitively(client_for, admin_user, group):
    OrganizerFactory(email="Taken@Acme.example", organizer_key=None)
    response = client_for(admin_user).post(URL, _valid(group, email="taken@acme.EXAMPLE"))
    assert response.context["form"].errors["email"] == [
        "An organizer with this email is already in the portal (pending confirmation)."
    ]
    assert Organizer.objects.count() == 1


def test_form_lists_the_groups_and_product_types(client_for, admin_user, group):
    html = client_for(admin_user).get(URL).content.decode()
    assert "Sales" in html
    for product in ("G2M", "G2W", "G2T", "OPENVOICE"):
        assert f'value="{product}"' in html


def test_manager_cannot_invite(client_for, manager_user, group):
    response = client_for(manager_user).post(URL, _valid(group))
    assert response.status_code == 403
    assert not Organizer.objects.exists()
