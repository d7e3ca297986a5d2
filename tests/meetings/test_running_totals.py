"""The organizers' running totals and the top lists read from them say what the raw rows say,
over years of history written in random order (a back-fill), instances re-synced into older
and newer months, the newest month emptied, an organizer and a group deleted (their rows'
keys become NULL and merge with others), and a rebuild. Seeded: the same cases every run.

The hypothesis test (test_rollups_match_raw_rows.py) covers six weeks finely (days, zones,
people); this one covers the months and the ranges across them: before all data, after the
last month, within one month, up to 900 days, with group and organizer filters."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import transaction

from meetings.models import MeetingInstance, OrganizerMonth, OrganizerRunning
from meetings.rollups import (
    RollupRange,
    rollup_top_organizers,
    rollups_kept,
    rollups_rebuild,
)
from organizers.models import Group, Organizer
from tests.factories import GroupFactory, OrganizerFactory

FIRST = date(2023, 1, 1)
TODAY = datetime.now(UTC).date()
SPAN = (TODAY - FIRST).days  # up to yesterday


def _next_month(m: date) -> date:
    return (m + timedelta(days=32)).replace(day=1)


def upsert(key, organizer, group, start):
    MeetingInstance.objects.update_or_create(
        instance_key=key,
        defaults={
            "meeting_id": key,
            "organizer": organizer,
            "organizer_key": organizer.organizer_key if organizer else None,
            "group": group,
            "subject": f"m{key}",
            "start_time": start,
            "end_time": start + timedelta(minutes=30),
            "duration_minutes": 30,
            "num_attendees": key % 7,
            "attendee_minutes": (key * 13) % 97,
        },
    )


def raw_months():
    sums = defaultdict(lambda: [0, 0])
    for o, g, start, m in MeetingInstance.objects.values_list(
        "organizer_id", "group_id", "start_time", "attendee_minutes"
    ):
        s = sums[(o, g, start.astimezone(UTC).date().replace(day=1))]
        s[0] += 1
        s[1] += m
    return {k: tuple(v) for k, v in sums.items()}


def check_running(tag):
    months = defaultdict(lambda: [0, 0])
    for o, g, m, n, a in OrganizerMonth.objects.values_list(
        "organizer_id", "group_id", "month", "meetings", "attendee_minutes"
    ):
        months[(o, g, m)][0] += n
        months[(o, g, m)][1] += a
    raw = raw_months()
    assert {k: tuple(v) for k, v in months.items() if v != [0, 0]} == raw, f"{tag}: months"
    actual = defaultdict(lambda: [0, 0])
    run_months = set()
    for o, g, m, n, a in OrganizerRunning.objects.values_list(
        "organizer_id", "group_id", "month", "meetings", "attendee_minutes"
    ):
        actual[(o, g, m)][0] += n
        actual[(o, g, m)][1] += a
        run_months.add(m)
    if not raw:
        assert not actual, f"{tag}: rows left"
        return
    first = min(m for _o, _g, m in raw)
    last = max(m for _o, _g, m in raw)
    assert max(run_months) == last, f"{tag}: newest running month {max(run_months)} != {last}"
    pairs = {(o, g) for o, g, _m in raw} | {(o, g) for o, g, _m in actual}
    m = first
    while m <= last:
        for pair in pairs:
            cum = [0, 0]
            for (o, g, mm), (n, a) in raw.items():
                if (o, g) == pair and mm <= m:
                    cum[0] += n
                    cum[1] += a
            got = actual.get((*pair, m), [0, 0])
            assert list(got) == cum, f"{tag}: {pair} {m}: {got} != {cum}"
        m = _next_month(m)
    assert min(run_months) >= first, f"{tag}: rows before the first month"


def raw_top(first: date, last: date, group_ids, organizer_id, limit=10):
    qs = MeetingInstance.objects.filter(
        start_time__gte=datetime.combine(first, datetime.min.time(), UTC),
        start_time__lt=datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC),
    )
    if group_ids is not None:
        qs = qs.filter(group_id__in=group_ids)
    if organizer_id is not None:
        qs = qs.filter(organizer_id=organizer_id)
    per = defaultdict(lambda: [0, 0])
    for o, m in qs.values_list("organizer_id", "attendee_minutes"):
        per[o][0] += 1
        per[o][1] += m
    out = {}
    for i, measure in enumerate(("meetings", "minutes")):
        rows = sorted(per.items(), key=lambda kv: (-kv[1][i], kv[0] is None, kv[0] or 0))
        out[measure] = [(o, v[0], v[1]) for o, v in rows[:limit]]
    return out


def check_top(rng, tag, n=25):
    groups = list(Group.objects.values_list("pk", flat=True))
    organizers = list(Organizer.objects.values_list("pk", flat=True))
    for _ in range(n):
        a = FIRST + timedelta(days=rng.randint(-40, SPAN + 40))
        kind = rng.random()
        if kind < 0.3:
            b = a + timedelta(days=rng.randint(0, 10))
        elif kind < 0.6:
            b = a + timedelta(days=rng.randint(20, 80))
        else:
            b = a + timedelta(days=rng.randint(80, 900))
        group_ids = (
            None if rng.random() < 0.6 else set(rng.sample(groups, rng.randint(1, len(groups))))
        )
        organizer_id = None if rng.random() < 0.7 else rng.choice(organizers)
        got = rollup_top_organizers(
            days=RollupRange(a, b),
            group_ids=group_ids,
            organizer_id=organizer_id,
            edges=MeetingInstance.objects.none(),
            limit=10,
        )
        got = {
            k: [(r["organizer_id"], r["meetings"], r["minutes"]) for r in v] for k, v in got.items()
        }
        want = raw_top(a, b, group_ids, organizer_id)
        assert got == want, f"{tag}: top {a}..{b} groups={group_ids} org={organizer_id}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", range(3))
def test_running_totals_and_top_lists_match_the_rows(seed):
    rng = random.Random(seed)
    groups = [GroupFactory(name=f"g{i}") for i in range(3)]
    organizers = [OrganizerFactory(group=rng.choice([*groups, None])) for _ in range(6)]
    owners = [*organizers, None]
    gs = [*groups, None]
    next_key = 1
    keys = []

    def start_at():
        return datetime.combine(FIRST, datetime.min.time(), UTC) + timedelta(
            minutes=rng.randint(0, SPAN * 24 * 60 - 1)
        )

    # Back-fill in random order: batches anywhere in the span.
    for step in range(25):
        batch = []
        for _ in range(rng.randint(1, 6)):
            batch.append((next_key, rng.choice(owners), rng.choice(gs), start_at()))
            next_key += 1
        with transaction.atomic(), rollups_kept(instance_keys=[b[0] for b in batch]):
            for b in batch:
                upsert(*b)
        keys += [b[0] for b in batch]
        check_running(f"seed {seed} write {step}")
    check_top(rng, f"seed {seed} after writes")
    # Re-syncs: another day (older or newer month), organizer, group.
    for step in range(25):
        key = rng.choice(keys)
        with transaction.atomic(), rollups_kept(instance_keys=[key]):
            upsert(key, rng.choice(owners), rng.choice(gs), start_at())
        check_running(f"seed {seed} resync {step}")
    # The newest month emptied: move all its instances to older months.
    newest = max(raw_months(), key=lambda k: k[2])[2]
    moving = list(
        MeetingInstance.objects.filter(
            start_time__gte=datetime.combine(newest, datetime.min.time(), UTC)
        ).values_list("instance_key", "organizer", "group")
    )
    with transaction.atomic(), rollups_kept(instance_keys=[k for k, _o, _g in moving]):
        for k, o, g in moving:
            upsert(
                k,
                Organizer.objects.filter(pk=o).first(),
                Group.objects.filter(pk=g).first(),
                datetime.combine(FIRST, datetime.min.time(), UTC)
                + timedelta(days=rng.randint(0, 200)),
            )
    check_running(f"seed {seed} newest emptied")
    check_top(rng, f"seed {seed} after newest emptied")
    # Delete an organizer and a group (SET_NULL merges pairs).
    victim = organizers[seed % len(organizers)]
    victim.delete()
    check_running(f"seed {seed} organizer deleted")
    check_top(rng, f"seed {seed} after organizer deleted")
    groups[0].delete()
    check_running(f"seed {seed} group deleted")
    owners = [o for o in owners if o is None or Organizer.objects.filter(pk=o.pk).exists()]
    gs = [g for g in gs if g is None or Group.objects.filter(pk=g.pk).exists()]
    for step in range(15):
        key = rng.choice(keys)
        with transaction.atomic(), rollups_kept(instance_keys=[key]):
            upsert(key, rng.choice(owners), rng.choice(gs), start_at())
        check_running(f"seed {seed} resync after deletes {step}")
    check_top(rng, f"seed {seed} after deletes", n=40)
    rollups_rebuild(days_per_step=60)
    check_running(f"seed {seed} rebuilt")
    check_top(rng, f"seed {seed} after rebuild")
