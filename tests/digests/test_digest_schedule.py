"""When digests are due: Monday from 07:00 (weekly) or the 1st from 07:00 (monthly) in each
subscriber's own zone, for the last whole period there; beat runs the task hourly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from celery.schedules import crontab

from digests.periods import Period, period_before
from digests.selectors import due_subscriptions
from portal.celery import app
from tests.digests.conftest import subscribe
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def tokyo_and_new_york(db):
    tokyo = UserFactory(email="kenji@acme.example", role="admin")
    new_york = UserFactory(email="nora@acme.example", role="admin")
    subscribe(tokyo, tz="Asia/Tokyo")
    subscribe(new_york, tz="America/New_York")
    return tokyo, new_york


def due_emails(now: datetime) -> dict[str, Period]:
    return {s.user.email: period for s, period in due_subscriptions(now=now)}


def test_monday_0700_comes_to_tokyo_fourteen_hours_before_new_york(tokyo_and_new_york):
    last_week = Period("weekly", date(2026, 2, 2), date(2026, 2, 8))

    # Sunday 21:00 UTC: 06:00 Monday in Tokyo, Sunday in New York: nobody yet.
    assert due_emails(utc("2026-02-08T21:00")) == {}
    # Sunday 22:00 UTC: 07:00 Monday in Tokyo.
    assert due_emails(utc("2026-02-08T22:00")) == {"kenji@acme.example": last_week}
    # Monday 11:00 UTC: 06:00 in New York (EST), Tokyo still due (the rest of its Monday).
    assert due_emails(utc("2026-02-09T11:00")) == {"kenji@acme.example": last_week}
    # Monday 12:00 UTC: 07:00 in New York, 21:00 in Tokyo: both.
    assert set(due_emails(utc("2026-02-09T12:00"))) == {"kenji@acme.example", "nora@acme.example"}
    # Monday 15:00 UTC: Tuesday has begun in Tokyo.
    assert due_emails(utc("2026-02-09T15:00")) == {"nora@acme.example": last_week}
    # Tuesday in both: nothing.
    assert due_emails(utc("2026-02-10T13:00")) == {}


def test_new_yorks_0700_follows_daylight_saving_time(tokyo_and_new_york):
    # 9 March 2026 is after the US clock change: 07:00 EDT is 11:00 UTC.
    assert "nora@acme.example" in due_emails(utc("2026-03-09T11:00"))
    assert "nora@acme.example" not in due_emails(utc("2026-03-09T10:59"))


def test_a_monthly_digest_is_due_on_the_first_for_the_last_whole_month(db):
    user = UserFactory(email="mo@acme.example", role="admin")
    subscribe(user, frequency="monthly", tz="Asia/Tokyo")

    # 1 March 07:00 in Tokyo is 28 February 22:00 UTC.
    assert due_emails(utc("2026-02-28T22:00")) == {
        "mo@acme.example": Period("monthly", date(2026, 2, 1), date(2026, 2, 28))
    }
    assert due_emails(utc("2026-02-28T21:00")) == {}
    assert due_emails(utc("2026-03-02T01:00")) == {}


def test_no_digest_for_an_unsubscribed_user_or_one_who_lost_the_role_or_access(db):
    organizer = UserFactory(email="was.manager@acme.example", role="manager")
    revoked = UserFactory(email="revoked@acme.example", role="admin")
    stopped = UserFactory(email="stopped@acme.example", role="admin")
    no_address = UserFactory(username="no-address", email="", role="admin")
    disabled = UserFactory(email="disabled@acme.example", role="admin")
    for user in (organizer, revoked, stopped, no_address, disabled):
        subscribe(user)
    disabled.is_active = False  # e.g. in the Django admin: can no longer sign in
    disabled.save()
    organizer.role = "organizer"
    organizer.save()
    revoked.portal_access = False
    revoked.save()
    stopped.digest_subscription.active = False
    stopped.digest_subscription.save()

    assert due_emails(utc("2026-02-09T08:00")) == {}


def test_periods_are_whole_weeks_from_monday_and_whole_months():
    assert period_before("weekly", date(2026, 2, 9)) == Period(
        "weekly", date(2026, 2, 2), date(2026, 2, 8)
    )
    assert period_before("weekly", date(2026, 2, 15)).start == date(2026, 2, 2)
    assert period_before("monthly", date(2026, 3, 1)).previous() == Period(
        "monthly", date(2026, 1, 1), date(2026, 1, 31)
    )
    assert period_before("monthly", date(2026, 1, 1)) == Period(
        "monthly", date(2025, 12, 1), date(2025, 12, 31)
    )


def test_beat_runs_the_digest_task_hourly_on_the_sync_queue(settings):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "digests.send_due"]
    assert entry["schedule"] == crontab(minute=settings.DIGEST_SEND_MINUTE)
    assert entry["options"]["queue"] == "sync"
    assert settings.CELERY_TASK_ROUTES["digests.send_due"] == {"queue": "sync"}
    assert "digests.send_due" in app.tasks
