"""Personal access tokens: made and revoked on the tokens page, shown once, stored hashed,
audit-logged; an unknown, expired or revoked token gets 401 with a JSON error."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from reporting_api.models import ApiToken

pytestmark = pytest.mark.django_db
PAGE = reverse("api_tokens")
API = reverse("api:sync_freshness")


def create_on_page(client, name="Power BI", days="90"):
    once = client.get(PAGE).context["form"]["once"].value()
    response = client.post(PAGE, {"name": name, "expires_in_days": days, "once": once})
    assert response.status_code == 200
    return response


def test_created_token_is_shown_once_and_opens_the_api(client_for, manager_user, api_get):
    client = client_for(manager_user)
    response = create_on_page(client)
    secret = response.context["secret"]
    assert secret.startswith("gtp_") and len(secret) >= 40
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert secret[:12] in again  # the visible prefix tells the tokens apart
    assert api_get(API, secret).status_code == 200
    token = ApiToken.objects.get()
    assert token.owner == manager_user
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)


def test_the_database_never_holds_the_secret(client_for, organizer_user):
    secret = create_on_page(client_for(organizer_user)).context["secret"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")  # noqa: S608
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert secret not in stored
    assert secret[12:] not in stored  # not even the part after the visible prefix
    assert ApiToken.objects.get().secret_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_creation_and_revocation_are_audited(client_for, manager_user):
    client = client_for(manager_user)
    create_on_page(client, name="Excel")
    token = ApiToken.objects.get()
    entry = AuditEntry.objects.get(action="api_token.create")
    assert (entry.actor, entry.target_id, entry.outcome) == (manager_user, str(token.pk), "success")
    assert "Excel" in entry.target_label and token.prefix in entry.target_label
    revoke_url = reverse("api_token_revoke", kwargs={"pk": token.pk})
    assert "Revoke" in client.get(revoke_url).content.decode()  # confirmation first
    assert ApiToken.objects.get().revoked_at is None
    response = client.post(revoke_url)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert (entry.actor, entry.target_id) == (manager_user, str(token.pk))


def test_revoked_token_gets_401(client_for, manager_user, api_get):
    client = client_for(manager_user)
    secret = create_on_page(client).context["secret"]
    token = ApiToken.objects.get()
    client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    response = api_get(API, secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked."}


def test_expired_token_gets_401(make_token, manager_user, api_get):
    secret = make_token(manager_user)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_get(API, secret)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gtp_" + "x" * 40,  # well formed, unknown
        "Bearer nonsense",
        "Bearer",
        "Bearer gtp_a gtp_b",
        "Token gtp_" + "x" * 40,  # another scheme: not credentials of ours
        "Basic YWxpY2U6c2VjcmV0",
    ],
)
def test_unknown_or_malformed_token_gets_401(client, make_token, manager_user, header):
    make_token(manager_user)
    response = client.get(API, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "gtp_" not in response.json()["detail"]  # never echoes a token


def test_a_token_is_refused_once_its_owner_loses_access(make_token, manager_user, api_get):
    secret = make_token(manager_user)
    manager_user.is_active = False
    manager_user.save(update_fields=["is_active"])
    assert api_get(API, secret).status_code == 401


def test_taking_portal_access_away_revokes_the_tokens_for_good(
    make_token, admin_user, manager_user, api_get
):
    from accounts.services import user_access_update

    secret = make_token(manager_user)
    user_access_update(
        user=manager_user, role="manager", portal_access=False, acting_user=admin_user
    )
    token = ApiToken.objects.get()
    assert token.revoked_at is not None and token.revoked_by == admin_user
    revoked = AuditEntry.objects.get(action="api_token.revoke")
    assert (revoked.actor, revoked.detail) == (admin_user, "portal access revoked")
    assert "1 API token(s) revoked" in AuditEntry.objects.get(action="access.revoke").detail
    # Access granted again: the old token stays dead.
    user_access_update(
        user=manager_user, role="manager", portal_access=True, acting_user=admin_user
    )
    assert api_get(API, secret).status_code == 401


def test_last_use_is_recorded(make_token, manager_user, api_get):
    secret = make_token(manager_user)
    assert ApiToken.objects.get().last_used_at is None
    api_get(API, secret)
    assert ApiToken.objects.get().last_used_at is not None


def test_admin_sees_and_revokes_anyones_token(client_for, admin_user, manager_user, make_token):
    secret = make_token(manager_user, name="Bob's Tableau")
    token = ApiToken.objects.get()
    client = client_for(admin_user)
    page = client.get(PAGE).content.decode()
    assert "Bob&#x27;s Tableau" in page and manager_user.email in page
    assert secret not in page
    client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin_user
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == admin_user and entry.detail == "revoked by an Admin"


def test_others_cannot_see_or_revoke_my_token(client_for, organizer_user, manager_user, make_token):
    make_token(manager_user, name="Bob's Tableau")
    token = ApiToken.objects.get()
    client = client_for(organizer_user)
    assert "Bob&#x27;s Tableau" not in client.get(PAGE).content.decode()
    response = client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="api_token.revoke").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x", "expires_in_days": "30"}, "once"),  # not from a form the page showed
        ({"name": "", "expires_in_days": "30"}, "name"),
        ({"name": "   ", "expires_in_days": "30"}, "name"),
        ({"name": "x", "expires_in_days": ""}, "expires_in_days"),  # no expiry: refused
        ({"name": "x", "expires_in_days": "3650"}, "expires_in_days"),
        ({"name": "x" * 101, "expires_in_days": "30"}, "name"),
    ],
)
def test_bad_input_creates_nothing(client_for, manager_user, data, field):
    if field != "once":
        data = {**data, "once": "from-the-page"}
    response = client_for(manager_user).post(PAGE, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {field}
    assert "secret" not in response.context
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="api_token.create").exists()


def test_sending_the_same_form_twice_creates_one_token(client_for, manager_user):
    client = client_for(manager_user)
    first = create_on_page(client)
    again = client.post(PAGE, {**first.wsgi_request.POST.dict()}, follow=True)
    assert ApiToken.objects.count() == 1
    assert "already sent" in again.content.decode()
    assert first.context["secret"] not in again.content.decode()
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1


def test_active_tokens_are_limited(client_for, manager_user, make_token):
    from reporting_api.services import MAX_ACTIVE_TOKENS

    for n in range(MAX_ACTIVE_TOKENS):
        make_token(manager_user, name=f"t{n}")
    response = client_for(manager_user).post(
        PAGE, {"name": "one more", "expires_in_days": "7", "once": "x"}
    )
    assert "revoke one" in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_a_user_without_portal_access_gets_no_tokens_page(client_for, outsider_user):
    response = client_for(outsider_user).get(PAGE)
    assert response.status_code in (302, 403)


def test_a_token_whose_owner_has_no_known_role_opens_nothing(make_token, api_get):
    from tests.factories import UserFactory

    user = UserFactory(role="organizer")
    secret = make_token(user)
    user.role = ""  # a role the portal does not know: fails closed
    user.save(update_fields=["role"])
    for url_name in ("api:meeting_instances", "api:sync_freshness", "api:dashboard"):
        assert api_get(reverse(url_name), secret).status_code == 403


def test_refused_actions_are_audited_as_failures(client_for, manager_user, make_token):
    from reporting_api.services import MAX_ACTIVE_TOKENS

    for n in range(MAX_ACTIVE_TOKENS):
        make_token(manager_user, name=f"t{n}")
    client = client_for(manager_user)
    once = client.get(PAGE).context["form"]["once"].value()
    client.post(PAGE, {"name": "one too many", "expires_in_days": "7", "once": once})
    refused = AuditEntry.objects.get(action="api_token.create", outcome="failure")
    assert refused.actor == manager_user and "one too many" in refused.target_label
    token = ApiToken.objects.first()
    revoke = reverse("api_token_revoke", kwargs={"pk": token.pk})
    client.post(revoke)
    response = client.post(revoke, follow=True)
    assert "already revoked" in response.content.decode()
    outcomes = list(
        AuditEntry.objects.filter(action="api_token.revoke")
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["success", "failure"]
