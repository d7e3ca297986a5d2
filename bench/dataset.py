"""A synthetic account in the cache, loaded fast with PostgreSQL ``COPY`` (psycopg 3
``cursor.copy()``): groups, organizers, a year of meeting instances and their attendees.

The shape follows a real corporate account: meetings on working days and hours, a few busy
organizers, a long tail of attendee counts (most meetings small, some large), recurring
attendees drawn from a pool of people, one group of more than 50 organizers, a few suspended,
pending and deleted organizers. ``num_attendees`` and ``attendee_minutes`` of each instance
match its attendee rows, as the sync leaves them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

GROUPS: tuple[tuple[str, str | None], ...] = (
    ("Sales", None),
    ("Sales EMEA", "Sales"),
    ("Sales Americas", "Sales"),
    ("Engineering", None),
    ("Platform", "Engineering"),
    ("Apps", "Engineering"),
    ("Support", None),
    ("Marketing", None),
    ("Finance", None),
    ("People", None),
    ("Operations", None),
    ("Field Sales", None),  # more than 50 organizers: group-scoped API calls refused
)
FIRST = ("Ada", "Ben", "Chloé", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
LAST = ("Meyer", "Okafor", "Rossi", "Tanaka", "Novak", "Silva", "Dubois", "Kowalski", "Ng")
SUBJECTS = ("Weekly sync", "Pipeline review", "Customer call", "1:1", "Sprint planning",
            "All hands", "Incident review", "Design review", "Budget", "Onboarding")  # fmt: skip
DAYS = 365
SHOWCASE_ATTENDEES = 120


@dataclass(frozen=True)
class LoadedDataset:
    groups: int
    organizers: int
    instances: int
    attendees: int
    people: int
    showcase_instance_id: int  # an instance with a full first page of attendees
    seconds: float
    rollup_seconds: float = 0.0  # the roll-ups' rebuild from the loaded rows


def _copy(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` (values of ``fields``, attnames) into ``model``'s table; every other
    concrete column gets its field default (or NULL), so added columns do not break the load."""
    from django.db import connection

    meta = model._meta
    extra_fields = [
        f for f in meta.concrete_fields if f.attname not in fields and not f.primary_key
    ]
    extra_values = []
    for f in extra_fields:
        if f.has_default():
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            extra_values.append(None)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            extra_values.append(datetime.now(UTC))
        else:
            raise ValueError(f"{meta.label}.{f.name}: no value and no default")
    columns = [meta.get_field(_field_name(meta, a)).column for a in fields]
    columns += [f.column for f in extra_fields]
    column_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({column_sql}) FROM STDIN"
    count = 0
    extra = tuple(extra_values)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *extra))
            count += 1
    return count


def _field_name(meta, attname: str) -> str:
    for f in meta.concrete_fields:
        if f.attname == attname:
            return f.name
    raise ValueError(f"{meta.label} has no column {attname}")


def _reset_sequences(models) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _attendee_counts(rng: random.Random, instances: int, attendees: int, cap: int) -> list[int]:
    """Attendees per instance: a long tail around the mean, at most ``cap`` each, summing to
    ``attendees`` (or to what ``cap`` allows)."""
    if instances == 0:
        return []
    attendees = min(attendees, instances * cap)
    mean = attendees / instances
    counts = [
        0 if rng.random() < 0.03 else min(cap, 1 + int(rng.expovariate(1 / max(mean, 1))))
        for _ in range(instances)
    ]
    diff = attendees - sum(counts)
    while diff:
        i = rng.randrange(instances)
        if diff > 0:
            step = min(diff, max(1, int(mean)), cap - counts[i])
            counts[i] += step
            diff -= step
        elif counts[i] > 0:
            step = min(-diff, counts[i])
            counts[i] -= step
            diff += step
    return counts


def load(
    *, instances: int, attendees: int, seed: int = 1, now: datetime | None = None
) -> LoadedDataset:
    """Replace the cache's groups, organizers, instances and attendees with a generated account
    of ``instances`` meeting instances over the last year and ``attendees`` attendee rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from meetings.models import (
        AccountDay,
        AccountMonth,
        Attendee,
        GroupDay,
        GroupMonth,
        Meeting,
        MeetingInstance,
        OrganizerDay,
        OrganizerMonth,
        OrganizerRunning,
        Person,
        RollupCursor,
    )
    from meetings.rollups import rollups_rebuild
    from organizers.models import Group, Organizer
    from sync.models import SyncArea, SyncOutcome, SyncRun

    started = time.monotonic()
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    synced = now - timedelta(minutes=4)
    rollup_models = (
        OrganizerDay, GroupDay, AccountDay, OrganizerMonth, GroupMonth, AccountMonth,
        OrganizerRunning, Person, RollupCursor,
    )  # fmt: skip
    tables = [
        m._meta.db_table
        for m in (*rollup_models, Attendee, MeetingInstance, Meeting, Organizer, Group)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    # Groups ------------------------------------------------------------------------------
    group_ids = {name: i for i, (name, _parent) in enumerate(GROUPS, start=1)}
    group_rows = [
        (gid, 500_000 + gid, name, group_ids.get(parent) if parent else None, "active", 0, synced)
        for name, parent in GROUPS
        for gid in [group_ids[name]]
    ]

    # Organizers --------------------------------------------------------------------------
    n_org = max(len(GROUPS) + 2, instances // 200)
    big = group_ids["Field Sales"]
    n_big = 60 if n_org >= 150 else min(n_org // 4, 60)
    others = [gid for gid in group_ids.values() if gid != big]
    organizer_rows = []
    organizer_group = {}
    members: dict[int, int] = {}
    for oid in range(1, n_org + 1):
        gid = big if oid <= n_big else others[oid % len(others)]
        organizer_group[oid] = gid
        members[gid] = members.get(gid, 0) + 1
        roll = rng.random()
        pending, deleted = roll < 0.01, 0.01 <= roll < 0.02
        status = "suspended" if 0.02 <= roll < 0.04 else "active"
        first, last = FIRST[oid % len(FIRST)], LAST[(oid // len(FIRST)) % len(LAST)]
        organizer_rows.append(
            (
                oid,
                None if pending else 700_000 + oid,
                f"{first.lower()}.{last.lower()}{oid}@acme.example",
                first,
                f"{last}{oid}",
                gid,
                status,
                "G2M" if oid % 7 else "G2M,G2W",
                250,
                now - timedelta(days=3) if deleted else None,
                synced,
                now - timedelta(days=400),
            )
        )
    group_rows = [(*row[:5], members.get(row[0], 0), row[6]) for row in group_rows]
    hosts = [row[0] for row in organizer_rows if row[1] is not None]
    # A few busy organizers, a long tail of occasional ones.
    weights = [1 + 20 * rng.random() ** 4 for _ in hosts]

    # Instances ---------------------------------------------------------------------------
    people = max(4 * SHOWCASE_ATTENDEES, attendees // 50)
    counts = _attendee_counts(rng, instances, attendees, cap=people)
    starts = []
    day0 = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0)
    while len(starts) < instances:
        day = day0 + timedelta(days=rng.randrange(DAYS))
        if day.weekday() >= 5 and rng.random() < 0.85:
            continue  # mostly working days
        start = day + timedelta(hours=rng.choice((7, 8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16)),
                                minutes=5 * rng.randrange(12))  # fmt: skip
        if start < now - timedelta(hours=3):
            starts.append(start)
    starts.sort()
    owners = rng.choices(hosts, weights=weights, k=instances)
    instance_rows = []
    durations = []
    showcase = instances  # the newest instance gets a full first page of attendees
    if instances and attendees >= SHOWCASE_ATTENDEES * 2:
        shift = SHOWCASE_ATTENDEES - counts[showcase - 1]
        counts[showcase - 1] = SHOWCASE_ATTENDEES
        for i in range(instances - 2, -1, -1):  # keep the total
            if shift == 0:
                break
            # shift > 0: take rows from older instances; < 0: give them back (within the cap)
            take = min(shift, counts[i]) if shift > 0 else max(shift, counts[i] - people)
            counts[i] -= take
            shift -= take
    for iid in range(1, instances + 1):
        oid = owners[iid - 1]
        duration = rng.choice((15, 30, 30, 45, 60, 60, 60, 90, 120))
        durations.append(duration)
        start = starts[iid - 1]
        instance_rows.append(
            [
                iid,
                10_000_000 + iid,
                900_000 + oid * 10 + iid % 4,
                oid,
                700_000 + oid,
                organizer_group[oid],
                f"{SUBJECTS[(oid + iid % 4) % len(SUBJECTS)]} #{iid % 97}",
                start,
                start + timedelta(minutes=duration),
                duration,
                0,
                0,
                "recurring" if iid % 4 else "scheduled",
                "VoIP",
                f"s{iid}",
                synced,
                synced,
            ]
        )

    def attendee_rows():
        aid = 0
        for iid in range(1, instances + 1):
            k = counts[iid - 1]
            row = instance_rows[iid - 1]
            start, duration = row[7], durations[iid - 1]
            minutes = 0
            for person in rng.sample(range(people), k):
                aid += 1
                join = start + timedelta(minutes=rng.randrange(6))
                stay = rng.randint(min(5, duration), duration)
                minutes += stay
                yield (
                    aid,
                    iid,
                    f"{FIRST[person % len(FIRST)]} {LAST[person % len(LAST)]}-{person}",
                    f"person{person}@{('acme.example', 'client.example')[person % 2]}",
                    join,
                    join + timedelta(minutes=stay),
                    stay,
                )
            row[10] = k
            row[11] = minutes

    instance_fields = (
        "id", "instance_key", "meeting_id", "organizer_id", "organizer_key", "group_id",
        "subject", "start_time", "end_time", "duration_minutes", "num_attendees",
        "attendee_minutes", "meeting_type", "conference_call_info", "session_id",
        "attendees_synced_at", "synced_at",
    )  # fmt: skip
    with transaction.atomic():
        _copy(Group, ("id", "group_key", "name", "parent_id", "status", "num_organizers",
                      "synced_at"), group_rows)  # fmt: skip
        _copy(
            Organizer,
            ("id", "organizer_key", "email", "first_name", "last_name", "group_id", "status",
             "products", "max_attendees", "deleted_at", "synced_at", "created_at"),
            organizer_rows,
        )  # fmt: skip
        # Attendees first (the generator fills each instance's totals), then the instances;
        # the foreign key is checked at commit (Django's constraints are DEFERRABLE).
        n_att = _copy(
            Attendee,
            ("id", "instance_id", "name", "email", "join_time", "leave_time",
             "duration_minutes"),
            attendee_rows(),
        )  # fmt: skip
        _copy(MeetingInstance, instance_fields, instance_rows)
        for area in (SyncArea.ORGANIZERS, SyncArea.HISTORY, SyncArea.ATTENDEES):
            SyncRun.objects.create(
                area=area, outcome=SyncOutcome.SUCCESS, finished_at=synced, progress=100
            )
    _reset_sequences([Group, Organizer, MeetingInstance, Attendee])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    loaded = time.monotonic()
    # The sync keeps the dashboard's roll-ups as it writes; rows loaded with COPY get them
    # from the rebuild, as a migrated database does (its time is reported on its own).
    rollups_rebuild(restart=True, days_per_step=14)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    return LoadedDataset(
        groups=len(group_rows),
        organizers=len(organizer_rows),
        instances=instances,
        attendees=n_att,
        people=people,
        showcase_instance_id=showcase,
        seconds=round(loaded - started, 1),
        rollup_seconds=round(time.monotonic() - loaded, 1),
    )
