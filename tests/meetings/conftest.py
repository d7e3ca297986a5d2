"""A small, hand-countable meeting history shared by the meetings tests.

Groups: Sales (parent) > Sales EMEA (child), and Support. Organizers: Alice (Sales), Bob
(Sales EMEA), Olga (Support). The week of Monday 2026-03-02 holds four meetings:

| # | organizer | start (UTC)        | minutes | attendees | attendee-minutes |
|---|-----------|--------------------|---------|-----------|------------------|
| 1 | Alice     | Mon 03-02 09:15    | 60      | 3         | 150              |
| 2 | Alice     | Mon 03-02 09:45    | 30      | 1         | 30               |
| 3 | Bob       | Wed 03-04 14:00    | 90      | 12        | 900              |
| 4 | Olga      | Thu 03-05 10:00    | 46      | 0         | 0                |

and one more before it: #5, Alice, Fri 2026-02-20 08:00, 20 minutes, 1 attendee.
Attendee stays (email, minutes): #1 x@ex.com 60, y@ex.com 50, X@EX.com 40 (x again, other
case); #2 y@ex.com 30; #3 z@ex.com 90 and one without email 20; #5 w@ex.com 20.
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
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def held(organizer, start: str, minutes: int, attendees: int, attendee_minutes: int, **extra):
    start_time = at(start)
    return MeetingInstanceFactory(
        organizer=organizer,
        organizer_key=organizer.organizer_key,
        group=organizer.group,
        start_time=start_time,
        end_time=start_time + timedelta(minutes=minutes),
        duration_minutes=minutes,
        num_attendees=attendees,
        attendee_minutes=attendee_minutes,
        **extra,
    )


def stay(instance, email: str, minutes: int, offset: int = 0, name: str = ""):
    join = instance.start_time + timedelta(minutes=offset)
    return AttendeeFactory(
        instance=instance,
        email=email,
        name=name or (email.split("@")[0].title() if email else "Dial-in caller"),
        join_time=join,
        leave_time=join + timedelta(minutes=minutes),
        duration_minutes=minutes,
    )


@pytest.fixture
def history(db):
    sales = GroupFactory(name="Sales")
    emea = GroupFactory(name="Sales EMEA", parent=sales)
    support = GroupFactory(name="Support")
    alice = OrganizerFactory(first_name="Alice", last_name="Archer", group=sales)
    bob = OrganizerFactory(first_name="Bob", last_name="Baker", group=emea)
    olga = OrganizerFactory(first_name="Olga", last_name="Ortiz", group=support)
    m1 = held(alice, "2026-03-02T09:15", 60, 3, 150, subject="Pipeline review")
    m2 = held(alice, "2026-03-02T09:45", 30, 1, 30, subject="Quick sync")
    m3 = held(bob, "2026-03-04T14:00", 90, 12, 900, subject="EMEA all hands")
    m4 = held(olga, "2026-03-05T10:00", 46, 0, 0, subject="Support triage")
    m5 = held(alice, "2026-02-20T08:00", 20, 1, 20, subject="Old one")
    stay(m1, "x@ex.com", 60)
    stay(m1, "y@ex.com", 50)
    stay(m1, "X@EX.com", 40, offset=15)
    stay(m2, "y@ex.com", 30)
    stay(m3, "z@ex.com", 90)
    stay(m3, "", 20)
    stay(m5, "w@ex.com", 20)
    return SimpleNamespace(
        sales=sales,
        emea=emea,
        support=support,
        alice=alice,
        bob=bob,
        olga=olga,
        m1=m1,
        m2=m2,
        m3=m3,
        m4=m4,
        m5=m5,
    )


@pytest.fixture
def account_manager(manager_user, history):
    """A Manager of the whole account: scoped to its top-level groups, Sales and Support (a
    Manager with no group sees nothing)."""
    manager_user.managed_groups.set([history.sales, history.support])
    return manager_user


@pytest.fixture
def scoped_manager(db, history):
    """A Manager who sees only Sales EMEA (and its sub-groups)."""
    from tests.factories import UserFactory

    user = UserFactory(email="erin.emea@acme.example", role="manager", organizer_key=9000010)
    user.managed_groups.add(history.emea)
    return user


# --- Against the sandbox -----------------------------------------------------------------------


def sandbox_user(sandbox, with_sandbox_token, email: str, role: str):
    """A portal user who is the sandbox's ``email``, with a stored token (as after sign-in)."""
    from tests.factories import UserFactory

    token = sandbox.token_for(email)
    user = UserFactory(
        email=email,
        role=role,
        organizer_key=int(token["organizer_key"]),
        first_name=token.get("firstName", ""),
        last_name=token.get("lastName", ""),
    )
    with_sandbox_token(user, email)
    return user


@pytest.fixture
def goto_organizer(db, sandbox_settings, sandbox, with_sandbox_token):
    """organizer@acme.example of the sandbox, signed up in the portal as an Organizer."""
    return sandbox_user(sandbox, with_sandbox_token, "organizer@acme.example", "organizer")


@pytest.fixture
def goto_admin(db, sandbox_settings, sandbox, with_sandbox_token):
    """admin@acme.example of the sandbox (a GoTo account admin), a portal Admin."""
    return sandbox_user(sandbox, with_sandbox_token, "admin@acme.example", "admin")


def sandbox_meeting(sandbox, meeting_id: int) -> dict | None:
    for meeting in sandbox.state()["meetings"]:
        if int(meeting["meetingId"]) == int(meeting_id):
            return meeting
    return None


def api_calls(sandbox) -> int:
    return sandbox.stats()["api_total"]
