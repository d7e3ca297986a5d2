"""The Django admin shows every model of the portal's apps, read-only, and each of its pages
answers for a superuser: the list, a row's page, a search. Nothing can be added, changed or
deleted there (the portal's pages do that, audit-logged), and a GoTo token is never shown.

The one exception is the user admin (``accounts.User``): a superuser grants staff rights
there; the role and the portal access stay read-only on it (the Roles page changes them).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, ServiceConnection, StoredToken, User
from accounts.tokens import store_token
from digests.models import DigestSubscription, SentDigest
from meetings.models import (
    GroupDay,
    GroupMonth,
    OrganizerDay,
    OrganizerMonth,
    Person,
    RollupCursor,
)
from organizers.models import ImportJob, ImportRow
from portal.admin import EstimatedCountPaginator, ReadOnlyAdmin
from reporting_api.services import api_token_create
from sync.models import SyncRun
from tests.factories import MeetingFactory, UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "organizers", "meetings", "sync", "digests", "reporting_api")
EDITABLE = {User}
SECRET = "access-token-never-shown-1234"


def our_models() -> list:
    return [model for label in OUR_APPS for model in apps.get_app_config(label).get_models()]


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@acme.example", role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def one_of_each(history, superuser, admin_user):
    """A row in every table (the history fixture fills the cache and its roll-ups)."""
    MeetingFactory(organizer=history.alice)
    job = ImportJob.objects.create(created_by=admin_user, filename="people.csv")
    ImportRow.objects.create(job=job, line_number=2, email="new@acme.example")
    SyncRun.objects.create(area="history", key="1", finished_at=timezone.now())
    AuditEntry.objects.create(action="organizer.suspend", outcome="success", actor=admin_user)
    store_token(admin_user, {"access_token": SECRET, "refresh_token": SECRET, "expires_in": 60})
    ServiceConnection.objects.create(admin=admin_user)
    RollupCursor.objects.create(
        name="rebuild", next_day=date(2026, 3, 1), last_day=date(2026, 3, 31)
    )
    GroupMonth.objects.get_or_create(
        group=history.sales, month=date(2026, 3, 1), defaults={"people": b""}
    )
    DigestSubscription.objects.create(user=admin_user, frequency="weekly")
    SentDigest.objects.create(
        user=admin_user,
        frequency="weekly",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 8),
        recipient=admin_user.email,
        status="sent",
    )
    api_token_create(
        owner=admin_user,
        name="Power BI",
        expires_at=timezone.now() + timezone.timedelta(days=30),
        acting_user=admin_user,
    )
    for model in our_models():
        assert model.objects.exists(), f"no {model.__name__} row to show"


def test_every_model_of_our_apps_is_registered():
    missing = [model.__name__ for model in our_models() if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", [m for m in our_models() if m not in EDITABLE], ids=str)
def test_every_admin_page_is_read_only(model, superuser):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdmin)
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert model_admin.get_actions(request) == {}
    assert model_admin.show_full_result_count is False


@pytest.mark.parametrize("model", our_models(), ids=str)
def test_each_list_row_and_search_answers_for_a_superuser(
    client_for, superuser, one_of_each, model
):
    client = client_for(superuser)
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    listed = client.get(changelist)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count >= 1
    row = model.objects.order_by("pk").first()
    page = client.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
    assert page.status_code == 200
    for term in ("x", "12345"):
        assert client.get(changelist, {"q": term}).status_code == 200
    if model not in EDITABLE:
        assert 'name="_save"' not in page.content.decode()
        add = reverse("admin:{}_{}_add".format(*info))
        assert client.post(add, {}).status_code == 403
        delete = reverse("admin:{}_{}_delete".format(*info), args=[row.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=row.pk).exists()


def test_a_stored_token_is_never_shown(client_for, superuser, one_of_each):
    client = client_for(superuser)
    token = StoredToken.objects.get()
    for url in (
        reverse("admin:accounts_storedtoken_changelist"),
        reverse("admin:accounts_storedtoken_change", args=[token.pk]),
    ):
        html = client.get(url).content.decode()
        assert SECRET not in html and token.access_token not in html


def test_an_api_token_secret_and_its_hash_are_never_shown(client_for, superuser, admin_user):
    _, secret = api_token_create(
        owner=admin_user,
        name="Power BI",
        expires_at=timezone.now() + timezone.timedelta(days=30),
        acting_user=admin_user,
    )
    token = admin_user.api_tokens.get()
    client = client_for(superuser)
    for url in (
        reverse("admin:reporting_api_apitoken_changelist"),
        reverse("admin:reporting_api_apitoken_change", args=[token.pk]),
    ):
        html = client.get(url).content.decode()
        assert token.prefix in html
        assert secret not in html and token.secret_hash not in html


def test_an_imports_lines_are_one_link_away(client_for, superuser, one_of_each, admin_user):
    other = ImportJob.objects.create(created_by=admin_user, filename="other.csv")
    ImportRow.objects.create(job=other, line_number=2, email="someone.else@acme.example")
    job = ImportJob.objects.get(filename="people.csv")
    client = client_for(superuser)
    jobs = client.get(reverse("admin:organizers_importjob_changelist")).content.decode()
    link = f"{reverse('admin:organizers_importrow_changelist')}?job__id__exact={job.pk}"
    assert link in jobs
    lines = client.get(link)
    assert lines.status_code == 200
    assert [r.email for r in lines.context["cl"].result_list] == ["new@acme.example"]


def test_non_staff_users_are_kept_out(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:sync_syncrun_changelist"))
    assert response.status_code == 302  # to the admin's sign-in


@pytest.mark.postgres
def test_an_unfiltered_big_table_is_counted_from_the_statistics(monkeypatch):
    """PostgreSQL's estimate once a table is big (here: any size), an exact count otherwise."""
    Person.objects.bulk_create(Person(email=f"p{i}@ex.com") for i in range(30))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Person._meta.db_table}")
    Person.objects.bulk_create(Person(email=f"q{i}@ex.com") for i in range(10))
    monkeypatch.setattr("portal.admin.EXACT_COUNT_BELOW", 1)
    estimated = EstimatedCountPaginator(Person.objects.order_by("-id"), 50).count
    assert estimated == 30  # the statistics, not the 40 rows a COUNT(*) would find
    filtered = Person.objects.filter(email__startswith="q").order_by("-id")
    assert EstimatedCountPaginator(filtered, 50).count == 10
    monkeypatch.setattr("portal.admin.EXACT_COUNT_BELOW", 1000)
    assert EstimatedCountPaginator(Person.objects.order_by("-id"), 50).count == 40


def test_roll_up_pages_leave_out_their_binary_columns(client_for, superuser, one_of_each):
    client = client_for(superuser)
    for model in (OrganizerDay, GroupDay, OrganizerMonth):
        row = model.objects.order_by("pk").first()
        info = (model._meta.app_label, model._meta.model_name)
        html = client.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
        assert "field-slots" not in html.content.decode()
        assert "field-people" not in html.content.decode()
