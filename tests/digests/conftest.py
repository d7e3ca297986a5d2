"""A small, hand-countable account for the digests (the loopback SMTP server, ``smtp_server``,
is in tests/conftest.py).

Groups Sales and Support. The week under test is Monday 2026-02-02 to Sunday 2026-02-08, the
week before it is the previous period; the digests of it are due on Monday 2026-02-09 from
07:00 in the subscriber's zone.

- Alice Archer (Sales): this week (UTC) Mon 09:00 (3 stays, 2 people), Tue 10:00, Thu 15:00,
  Sun 02-08 20:00 (2 people; Monday in Tokyo); the week before Wed 01-28 and Sun 02-01 23:30
  (1 person; Monday 2 Feb in Tokyo).
- Bob Baker (Sales): Wed 11:00 (2 people).
- Olga Outside (Support): Mon 09:00, Fri 16:00.
- Ivy Idle (Sales): last meeting 2025-12-01 (70 days before the period's end).
- Sam Sleeper (Sales) and Xavier Xenon (Support): never.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests.factories import (
    AttendeeFactory,
    GroupFactory,
    MeetingInstanceFactory,
    OrganizerFactory,
    UserFactory,
)

PERIOD_START = "2026-02-02"
PERIOD_END = "2026-02-08"
DUE_AT = datetime(2026, 2, 9, 7, 30, tzinfo=UTC)  # Monday 07:30 UTC


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def held(organizer, start: str, *, attendees=(), minutes: int = 60):
    instance = MeetingInstanceFactory(
        organizer=organizer,
        organizer_key=organizer.organizer_key,
        group=organizer.group,
        start_time=at(start),
        end_time=at(start) + timedelta(minutes=minutes),
        duration_minutes=minutes,
        num_attendees=len(attendees),
        attendee_minutes=30 * len(attendees),
    )
    for address in attendees:
        AttendeeFactory(instance=instance, email=address, duration_minutes=30)
    return instance


@pytest.fixture
def account(db):
    return make_account()


def make_account() -> SimpleNamespace:
    """The account of the module docstring, with a Manager of Sales and an Admin."""
    sales = GroupFactory(name="Sales")
    support = GroupFactory(name="Support")
    alice = OrganizerFactory(first_name="Alice", last_name="Archer", group=sales)
    bob = OrganizerFactory(first_name="Bob", last_name="Baker", group=sales)
    olga = OrganizerFactory(first_name="Olga", last_name="Outside", group=support)
    ivy = OrganizerFactory(first_name="Ivy", last_name="Idle", group=sales)
    sam = OrganizerFactory(first_name="Sam", last_name="Sleeper", group=sales)
    xavier = OrganizerFactory(first_name="Xavier", last_name="Xenon", group=support)
    held(alice, "2026-02-02T09:00", attendees=("p1@ex.com", "p2@ex.com", "P1@EX.com"))
    held(alice, "2026-02-03T10:00", attendees=("p3@ex.com",))
    held(alice, "2026-02-05T15:00")
    held(alice, "2026-01-28T09:00", attendees=("p1@ex.com",))
    # Near the weeks' edges: which week they fall in depends on the zone (Tokyo is UTC+9).
    held(alice, "2026-02-08T20:00", attendees=("p5@ex.com", "p6@ex.com"))
    held(alice, "2026-02-01T23:30", attendees=("p7@ex.com",))
    held(bob, "2026-02-04T11:00", attendees=("p1@ex.com", "p4@ex.com"))
    held(olga, "2026-02-02T09:00", attendees=("outsider@ex.com",))
    held(olga, "2026-02-06T16:00")
    held(ivy, "2025-12-01T10:00")
    manager = UserFactory(email="mona.manager@acme.example", role="manager")
    manager.managed_groups.set([sales])
    admin = UserFactory(email="ada.admin@acme.example", role="admin")
    return SimpleNamespace(
        sales=sales,
        support=support,
        alice=alice,
        bob=bob,
        olga=olga,
        ivy=ivy,
        sam=sam,
        xavier=xavier,
        manager=manager,
        admin=admin,
    )


def subscribe(user, frequency="weekly", tz="UTC", group=None):
    from digests.services import digest_subscribe

    return digest_subscribe(user=user, frequency=frequency, timezone_name=tz, group=group)


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
