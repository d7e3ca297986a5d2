"""The dashboard's roll-ups say what plain SQL over the raw rows says, for any data, scope,
organizer, range and time zone (hypothesis).

Random meeting histories are written as the sync writes them (rows in bulk inside
``rollups_kept``), some instances are then re-synced (moved to another day, organizer or group,
their attendees replaced), and the dashboard's figures (from roll-ups plus the raw edges of
the range) are compared with aggregates over the raw rows: meetings per local day and hour,
per-organizer totals and attendee buckets, and unique attendees counted by
``COUNT(DISTINCT LOWER(email))``. It runs on whichever database the suite runs on: SQLite by
default, PostgreSQL under ``DATABASE_URL`` (both are run for this change).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyroaring import BitMap

from meetings import selectors
from meetings.models import (
    AccountDay,
    AccountMonth,
    Attendee,
    GroupDay,
    GroupMonth,
    MeetingInstance,
    OrganizerDay,
    OrganizerMonth,
    OrganizerRunning,
)
from meetings.rollups import rollups_kept, rollups_rebuild
from meetings.selectors import DateWindow, HistoryFilter
from tests.factories import GroupFactory, OrganizerFactory, UserFactory

# Around both DST changes of 2026 (US 03-08, EU 03-29), with March whole (its month's totals
# are read from OrganizerMonth): the range the data and views live in.
BASE = datetime(2026, 2, 24, tzinfo=UTC)
SPAN_DAYS = 42
ZONES = ["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata", "Asia/Kathmandu"]
EMAILS = ["ann@ex.com", "Ann@Ex.com", "bo@ex.com", "cy@ex.com", "di@ex.com", "", "ed@ex.com"]


@pytest.fixture
def world(db):
    """Sales > Sales EMEA, Support; four organizers (one deleted, one without group)."""
    sales = GroupFactory(name="Sales")
    emea = GroupFactory(name="Sales EMEA", parent=sales)
    support = GroupFactory(name="Support")
    organizers = [
        OrganizerFactory(group=sales),
        OrganizerFactory(group=emea),
        OrganizerFactory(group=support, deleted_at=BASE),
        OrganizerFactory(group=None),
    ]
    manager = UserFactory(email="tree@acme.example", role="manager")
    manager.managed_groups.add(sales)  # sees Sales and Sales EMEA
    admin = UserFactory(email="root@acme.example", role="admin")
    return {
        "groups": [sales, emea, support, None],
        "organizers": [*organizers, None],
        "users": {"admin": admin, "manager": manager},
    }


meeting = st.fixed_dictionaries(
    {
        "organizer": st.integers(0, 4),
        "group": st.integers(0, 4),  # 4: the organizer's own group
        "start": st.integers(0, SPAN_DAYS * 24 * 4 - 1),  # quarter-hours, plus minutes below
        "minute": st.integers(0, 14),
        "duration": st.integers(0, 600),  # some cross midnight
        "num_attendees": st.integers(0, 120),
        "emails": st.lists(st.sampled_from(EMAILS), max_size=5),
    }
)
view = st.fixed_dictionaries(
    {
        "user": st.sampled_from(["admin", "manager"]),
        "zone": st.sampled_from(ZONES),
        "first": st.integers(-2, SPAN_DAYS),
        "days": st.integers(1, SPAN_DAYS + 3),  # up to 45 days: March whole, or more
        "group": st.sampled_from([None, 0, 1, 2]),
        "organizer": st.sampled_from([None, 0, 1, 2, 3]),
    }
)


def write(world, meetings: list[dict], first_key: int) -> list[int]:
    """Write ``meetings`` as the sync does: rows in bulk, roll-ups kept in the transaction."""
    keys = [first_key + i for i in range(len(meetings))]
    with transaction.atomic(), rollups_kept(instance_keys=keys):
        for key, spec in zip(keys, meetings, strict=True):
            upsert(world, key, spec)
    return keys


def upsert(world, key: int, spec: dict) -> None:
    organizer = world["organizers"][spec["organizer"]]
    group = (
        (organizer.group if organizer else None)
        if spec["group"] == 4
        else world["groups"][spec["group"]]
    )
    start = BASE + timedelta(minutes=15 * spec["start"] + spec["minute"])
    minutes = sum(20 for email in spec["emails"])
    instance, _ = MeetingInstance.objects.update_or_create(
        instance_key=key,
        defaults={
            "meeting_id": key,
            "organizer": organizer,
            "organizer_key": organizer.organizer_key if organizer else None,
            "group": group,
            "subject": f"m{key}",
            "start_time": start,
            "end_time": start + timedelta(minutes=spec["duration"]),
            "duration_minutes": spec["duration"],
            "num_attendees": spec["num_attendees"],
            "attendee_minutes": minutes,
        },
    )
    Attendee.objects.filter(instance=instance).delete()
    Attendee.objects.bulk_create(
        Attendee(
            instance=instance,
            email=email,
            join_time=start + timedelta(seconds=n),
            duration_minutes=20,
        )
        for n, email in enumerate(spec["emails"])
    )


def filters_for(world, spec: dict) -> HistoryFilter:
    first = (BASE + timedelta(days=spec["first"])).date()
    group = world["groups"][spec["group"]] if spec["group"] is not None else None
    organizer = world["organizers"][spec["organizer"]] if spec["organizer"] is not None else None
    return HistoryFilter(
        window=DateWindow(
            start=first,
            end=first + timedelta(days=spec["days"] - 1),
            tz=ZoneInfo(spec["zone"]),
        ),
        group=group,
        organizer=organizer,
    )


def raw_figures(qs) -> dict:
    """The same figures from the raw rows: the dashboard's former aggregates, and unique
    attendees in plain SQL."""
    ids = list(qs.values_list("pk", flat=True))
    unique = 0
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(DISTINCT LOWER(email)) FROM meetings_attendee "  # noqa: S608
                f"WHERE email <> '' AND instance_id IN ({marks})",
                ids,
            )
            unique = cursor.fetchone()[0]
    return {"totals": selectors.organizer_totals(qs), "unique": unique}


def comparable(totals: list[dict]) -> dict:
    return {
        row["organizer_id"]: {
            name: value or 0 for name, value in row.items() if not name.startswith("organizer")
        }
        for row in totals
    }


def assert_matches(world, spec: dict) -> None:
    user = world["users"][spec["user"]]
    filters = filters_for(world, spec)
    qs = selectors.history_instances(user=user, filters=filters)
    figures = selectors.dashboard_figures(user=user, filters=filters, qs=qs)
    raw = raw_figures(qs)
    by_hour = selectors.meetings_by_local_hour(qs, tz=filters.window.tz)
    assert {k: n for k, n in figures.by_hour.items() if n} == by_hour, spec
    summed = {
        name: sum(row[name] for row in comparable(raw["totals"]).values())
        for name in figures.totals
    }
    assert figures.totals == summed, spec
    # The top lists (ranked by the database from the cells) as ranked from the raw rows.
    assert figures.top_by_meetings == selectors.top_organizers(qs, by="meetings"), spec
    assert figures.top_by_minutes == selectors.top_organizers(qs, by="minutes"), spec
    assert figures.unique == raw["unique"], spec


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # a range holding the whole of March (OrganizerMonth) and days around it
    meetings=[
        {"organizer": o, "group": 4, "start": q * 97, "minute": 3, "duration": 50,
         "num_attendees": q % 30, "emails": EMAILS[q % 5 : q % 5 + 2]}
        for q in range(0, 40) for o in (0, 1, 2)
    ],
    resync=[(4, {"organizer": 1, "group": 2, "start": 700, "minute": 0, "duration": 5,
                 "num_attendees": 3, "emails": ["new@ex.com"]})],
    views=[
        {"user": user, "zone": zone, "first": 2, "days": 40, "group": None, "organizer": None}
        for user in ("admin", "manager") for zone in ("UTC", "Asia/Kolkata")
    ] + [{"user": "admin", "zone": "America/New_York", "first": 4, "days": 35, "group": 0,
          "organizer": 1},
           {"user": "admin", "zone": "UTC", "first": 5, "days": 31, "group": None,
            "organizer": None}],  # March exactly
)  # fmt: skip
@given(
    meetings=st.lists(meeting, min_size=1, max_size=14),
    resync=st.lists(st.tuples(st.integers(0, 13), meeting), max_size=4),
    views=st.lists(view, min_size=1, max_size=4),
)
def test_rollups_give_the_figures_of_the_raw_rows(world, meetings, resync, views):
    with transaction.atomic():
        keys = write(world, meetings, first_key=9_000_000)
        for index, spec in resync:  # re-synced: moved, another organizer or group, new attendees
            key = keys[index % len(keys)]
            with rollups_kept(instance_keys=[key]):
                upsert(world, key, spec)
        for spec in views:
            assert_matches(world, spec)
        assert running() == running_of_months()
        transaction.set_rollback(True)


def running() -> list[tuple]:
    """The running totals per (organizer, group, month), summed: a deleted organizer's rows
    (their organizer NULL) may sit beside others of the same key."""
    sums: dict[tuple, list[int]] = {}
    for organizer, group, month, meetings, minutes in OrganizerRunning.objects.values_list(
        "organizer_id", "group_id", "month", "meetings", "attendee_minutes"
    ):
        totals = sums.setdefault((organizer, group, month), [0, 0])
        totals[0] += meetings
        totals[1] += minutes
    return sorted(((*key, *totals) for key, totals in sums.items()), key=repr)


def running_of_months() -> list[tuple]:
    """OrganizerRunning as it must be: each (organizer, group)'s month sums added up, a row
    for every month from its first to the last month of any."""
    months = list(
        OrganizerMonth.objects.values_list(
            "organizer_id", "group_id", "month", "meetings", "attendee_minutes"
        )
    )
    if not months:
        return []
    last = max(month for _o, _g, month, _m, _a in months)
    rows = []
    for pair in {(o, g) for o, g, *_rest in months}:
        mine = [row for row in months if row[:2] == pair]
        month = min(row[2] for row in mine)
        meetings = minutes = 0
        while month <= last:
            meetings += sum(row[3] for row in mine if row[2] == month)
            minutes += sum(row[4] for row in mine if row[2] == month)
            rows.append((*pair, month, meetings, minutes))
            month = (month + timedelta(days=32)).replace(day=1)
    return sorted(rows, key=repr)


def cells() -> list[tuple]:
    def rows(model, *key):
        return sorted(
            (
                (*row[:-2], bytes(row[-2]), list(BitMap.deserialize(bytes(row[-1]))))
                for row in model.objects.values_list(
                    *key,
                    "day",
                    "meetings",
                    "duration",
                    "attendees",
                    "attendee_minutes",
                    *(f"bucket_{i}" for i in range(8)),
                    "slots",
                    "people",
                )
            ),
            key=repr,
        )

    months = sorted(
        map(
            repr,
            OrganizerMonth.objects.values_list(
                "organizer_id", "group_id", "month", "meetings", "attendee_minutes", "bucket_2"
            ),
        )
    )
    group_months = sorted(
        (group, month, list(BitMap.deserialize(bytes(people))))
        for group, month, people in GroupMonth.objects.values_list("group_id", "month", "people")
        if group is not None
    )
    account_months = sorted(
        (month, list(BitMap.deserialize(bytes(people))))
        for month, people in AccountMonth.objects.values_list("month", "people")
    )
    return [
        running(),
        rows(OrganizerDay, "organizer_id", "group_id"),
        rows(GroupDay, "group_id"),
        months,
        group_months,
        rows(AccountDay),
        account_months,
    ]


def test_a_rebuild_gives_the_cells_the_sync_kept_and_can_be_repeated(world):
    meetings = [
        {
            "organizer": i % 5,
            "group": i % 5,
            "start": i * 37,
            "minute": i % 15,
            "duration": 30 + i * 40,
            "num_attendees": i * 7,
            "emails": EMAILS[i % 4 : i % 4 + 3],
        }
        for i in range(30)
    ]
    write(world, meetings, first_key=8_000_000)
    kept = cells()
    assert kept[1], "the sync kept cells"
    assert kept[0] == running_of_months() != []
    rollups_rebuild(days_per_step=3)
    assert cells() == kept
    rollups_rebuild(restart=True)
    assert cells() == kept


def test_an_interrupted_rebuild_continues_from_its_cursor(world):
    from meetings.models import RollupCursor

    meetings = [
        {
            "organizer": 0,
            "group": 4,
            "start": day * 96 + 40,
            "minute": 0,
            "duration": 60,
            "num_attendees": 1,
            "emails": ["ann@ex.com"],
        }
        for day in range(10)
    ]
    write(world, meetings, first_key=7_000_000)
    kept = cells()
    OrganizerDay.objects.all().delete()
    GroupDay.objects.all().delete()
    # A rebuild stopped half way: its cursor says the first five days are still to do.
    first = BASE.date()
    RollupCursor.objects.create(name="rebuild", next_day=first, last_day=first + timedelta(days=4))
    rollups_rebuild(days_per_step=2)
    assert not RollupCursor.objects.exists()
    assert {row[2] for row in cells()[1]} == {first + timedelta(days=d) for d in range(5)}
    rollups_rebuild(restart=True)
    assert cells() == kept
