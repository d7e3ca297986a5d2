"""Meeting history made on demand, per organizer and day, for sizes too big to hold.

A year of the ``enterprise`` account is about 1M meeting instances and 10M attendee rows:
generated up front that is minutes of start-up and several GB of RAM. Instead, what an
organizer held on a day is a pure function of ``(seed, organizer serial, day)``: the same
question always gets the same instances and attendees, whatever window it is part of, and
nothing of it is stored. Only what is small is materialised (groups, organizers, upcoming and
recurring meetings, and instances added at run time by holds and ended live meetings).

Every derived key encodes where it comes from, so a key alone finds its instance again:
``code = (serial * DAY_SPAN + day - FIRST_DAY) * SLOTS + slot`` (slot 0-2: an occurrence of
the organizer's recurring series 0-2; 3-15: the day's one-off meetings). Meeting ids,
instance keys and session ids are ``code`` above a base; counted keys (``KeyGen``) of such a
size start above the coded range (``LAZY_RANGES``) so the two never meet. A recurring
series' meeting id is coded with the day ``SERIES_DAY``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.generator import (
    DAY,
    DEFAULT_MAX_ATTENDEES,
    HISTORY_DAYS,
    AttendeeRow,
    Person,
    attendee_count,
    make_attendees,
)
from sandbox.keys import KEY_RANGES
from sandbox.names import CONFERENCE_CALL_INFO, CUSTOMERS, ONE_OFF_SUBJECTS, RECURRING_SUBJECTS
from sandbox.timeutil import iso, parse_iso

FIRST_DAY = 18_262  # 2020-01-01 as days since the epoch
DAY_SPAN = 4096  # days from FIRST_DAY a code can name (to 2031)
SERIES_DAY = FIRST_DAY + DAY_SPAN - 1  # the "day" in a recurring series' meeting id
SLOTS = 16
SERIES_SLOTS = 3
MAX_SERIALS = 8192
CODE_SPAN = MAX_SERIALS * DAY_SPAN * SLOTS  # 536,870,912 codes

MEETING_BASE = KEY_RANGES["meeting"][0]
INSTANCE_BASE = KEY_RANGES["instance"][0]
SESSION_BASE = KEY_RANGES["session"][0]
LAZY_RANGES: dict[str, tuple[int, int]] = {
    "meeting": (MEETING_BASE + CODE_SPAN, KEY_RANGES["meeting"][1]),
    "instance": (INSTANCE_BASE + CODE_SPAN, KEY_RANGES["instance"][1]),
    "session": (SESSION_BASE + CODE_SPAN, KEY_RANGES["session"][1]),
}
HELD_RATIO = 0.9  # share of a series' occurrences that are actually held
INTERNAL_PEOPLE = 180  # people_pool: 180 employees first, then 140 outside contacts


def encode(serial: int, day: int, slot: int) -> int:
    return (serial * DAY_SPAN + day - FIRST_DAY) * SLOTS + slot


def decode(code: int) -> tuple[int, int, int] | None:
    """``(serial, day, slot)`` of a code, or ``None`` when it is not one."""
    if not 0 <= code < CODE_SPAN:
        return None
    rest, slot = divmod(code, SLOTS)
    serial, day = divmod(rest, DAY_SPAN)
    return serial, FIRST_DAY + day, slot


def series_meeting_id(serial: int, index: int) -> int:
    return MEETING_BASE + encode(serial, SERIES_DAY, index)


def is_working_day(day: int) -> bool:
    return (day + 3) % 7 < 5  # 1970-01-01 (day 0) was a Thursday


@dataclass(frozen=True)
class Series:
    """A weekly or fortnightly meeting an organizer holds all year."""

    slot: int
    meeting_id: int
    weekday: int  # 0 = Monday
    period: int  # 7 or 14 days
    parity: int  # which week of a fortnight
    offset: int  # seconds after midnight UTC
    minutes: int
    subject: str
    conference: str
    password: bool
    roster: tuple[int, ...]  # indexes into the people pool

    def occurs_on(self, day: int) -> bool:
        if (day + 3) % 7 != self.weekday:
            return False
        return self.period == 7 or (day + 3) // 7 % 2 == self.parity


@dataclass(frozen=True)
class Plan:
    """What shapes one organizer's year: recurring series and a rate of one-off meetings."""

    serial: int
    organizer_key: int
    series: tuple[Series, ...]
    one_off_rate: float  # one-off meetings per working day
    until: int  # nothing is held after this instant (suspended organizers stop earlier)


def make_plan(seed: int, serial: int, organizer_key: int, until: int, people: int) -> Plan:
    """The plan of the organizer with ``serial`` (depends on the seed and serial only, apart
    from ``until``): 0-3 series (1.5 on average) and 0.35-0.85 one-off meetings a working day,
    about 200 instances a year, so 5,000 organizers hold about 1M."""
    rng = random.Random(f"plan:{seed}:{serial}")
    series = []
    internal = min(INTERNAL_PEOPLE, people)
    for index in range(rng.choice((0, 1, 1, 2, 2, 3))):
        size = min(40, max(2, int(rng.lognormvariate(1.9, 0.6))) + rng.randint(0, 3))
        roster = rng.sample(range(internal), size) + rng.sample(
            range(internal, people), rng.randint(0, 2)
        )
        series.append(
            Series(
                slot=index,
                meeting_id=series_meeting_id(serial, index),
                weekday=rng.randint(0, 4),
                period=7 if rng.random() < 0.8 else 14,
                parity=rng.randint(0, 1),
                offset=rng.randint(7, 16) * 3600 + rng.choice((0, 15, 30, 45)) * 60,
                minutes=rng.choice((30, 30, 45, 60)),
                subject=RECURRING_SUBJECTS[(index + serial) % len(RECURRING_SUBJECTS)],
                conference=rng.choice(CONFERENCE_CALL_INFO),
                password=rng.random() < 0.15,
                roster=tuple(roster),
            )
        )
    return Plan(serial, organizer_key, tuple(series), rng.uniform(0.35, 0.85), until)


@dataclass(frozen=True)
class Held:
    """One instance as made for a day: the API's instance dict and its meeting."""

    instance: dict
    meeting: dict


class LazyHistory:
    """The on-demand history of one account (seed, anchor, people pool).

    ``organizer_of(serial)`` gives the organizer record of a serial, or ``None`` once the
    organizer was deleted (GoTo deletes their report history with them).
    """

    def __init__(
        self,
        *,
        seed: int,
        anchor: int,
        mean_attendees: float,
        people: list[Person],
        organizer_of: Callable[[int], dict | None],
    ) -> None:
        if not FIRST_DAY + HISTORY_DAYS < anchor // DAY < SERIES_DAY - 1:
            raise ValueError(f"anchor {iso(anchor)} is outside what the history can name")
        self.seed = seed
        self.anchor = anchor
        self.mean = mean_attendees
        self.people = people
        self.organizer_of = organizer_of
        self.first = anchor - HISTORY_DAYS * DAY
        self._plans: dict[int, Plan] = {}

    # -- plans ------------------------------------------------------------------------------
    def plan(self, organizer: dict) -> Plan | None:
        """The organizer's plan, ``None`` for one without history (created at run time)."""
        serial = organizer.get("serial")
        if serial is None or organizer["organizerKey"] is None:
            return None
        plan = self._plans.get(serial)
        if plan is None:
            until = organizer.get("historyUntil")
            plan = make_plan(
                self.seed,
                serial,
                organizer["organizerKey"],
                self.anchor if until is None else parse_iso(until),
                len(self.people),
            )
            self._plans[serial] = plan
        return plan

    def _plan_of_serial(self, serial: int) -> Plan | None:
        organizer = self.organizer_of(serial)
        return self.plan(organizer) if organizer is not None else None

    # -- one day ----------------------------------------------------------------------------
    def day(self, plan: Plan, day: int) -> list[Held]:
        """What the organizer held on ``day`` (days since the epoch), start order."""
        if not is_working_day(day):
            return []
        rng = random.Random(f"hist:{self.seed}:{plan.serial}:{day}")
        made: list[Held] = []
        midnight = day * DAY
        for series in plan.series:
            if not series.occurs_on(day):
                continue
            held = rng.random() < HELD_RATIO
            jitter, stretch = rng.randint(-120, 480), rng.uniform(0.6, 1.2)
            if not held:
                continue
            meeting = {
                "meetingId": series.meeting_id,
                "subject": series.subject,
                "meetingType": "recurring",
                "conferenceCallInfo": series.conference,
                "passwordRequired": series.password,
            }
            start = midnight + series.offset + jitter
            minutes = max(3, round(series.minutes * stretch))
            made.append(self._held(plan, day, series.slot, meeting, start, minutes))
        whole, part = divmod(plan.one_off_rate, 1)
        count = min(SLOTS - SERIES_SLOTS, int(whole) + (rng.random() < part))
        for number in range(count):
            scheduled = midnight + rng.randint(7, 17) * 3600 + rng.choice((0, 15, 30, 45)) * 60
            planned = rng.choice((15, 30, 30, 45, 60, 60, 90))
            immediate = rng.random() < 0.12
            if immediate:
                subject = "Meet Now"
            else:
                template = rng.choice(ONE_OFF_SUBJECTS)
                person = self.people[rng.randrange(INTERNAL_PEOPLE)].name
                subject = template.format(customer=rng.choice(CUSTOMERS), person=person)
            slot = SERIES_SLOTS + number
            meeting = {
                "meetingId": MEETING_BASE + encode(plan.serial, day, slot),
                "subject": subject,
                "meetingType": "immediate" if immediate else "scheduled",
                "conferenceCallInfo": rng.choice(CONFERENCE_CALL_INFO),
                "passwordRequired": rng.random() < 0.15,
                "startTime": iso(scheduled),
                "endTime": iso(scheduled + planned * 60),
                "createTime": iso(scheduled - rng.randint(1, 30) * DAY),
            }
            start = scheduled + rng.randint(-120, 480)
            minutes = max(3, round(planned * rng.uniform(0.6, 1.2)))
            made.append(self._held(plan, day, slot, meeting, start, minutes))
        kept = [h for h in made if self._in_history(plan, h.instance)]
        kept.sort(key=lambda h: (h.instance["startTime"], h.instance["meetingInstanceKey"]))
        return kept

    def _in_history(self, plan: Plan, instance: dict) -> bool:
        return iso(self.first) <= instance["startTime"] and instance["endTime"] <= iso(
            min(self.anchor, plan.until)
        )

    def _held(
        self, plan: Plan, day: int, slot: int, meeting: dict, start: int, minutes: int
    ) -> Held:
        code = encode(plan.serial, day, slot)
        key = INSTANCE_BASE + code
        instance = {
            "meetingInstanceKey": key,
            "meetingId": meeting["meetingId"],
            "sessionId": SESSION_BASE + code,
            "organizerKey": plan.organizer_key,
            "subject": meeting["subject"],
            "meetingType": meeting["meetingType"],
            "conferenceCallInfo": meeting["conferenceCallInfo"],
            "passwordRequired": meeting["passwordRequired"],
            "startTime": iso(start),
            "endTime": iso(start + minutes * 60),
            "duration": minutes,
            "numAttendees": self._attendance(plan, slot, key)[2],
        }
        return Held(instance, {**meeting, "organizerKey": plan.organizer_key})

    # -- attendees ----------------------------------------------------------------------------
    def _attendance(self, plan: Plan, slot: int, key: int) -> tuple[random.Random, list, int]:
        """The attendee generator of instance ``key``, the people it picks from and how many
        attend: counting attendees (for ``numAttendees``) never makes their rows."""
        rng = random.Random(f"att:{self.seed}:{key}")
        count = attendee_count(rng, self.mean, DEFAULT_MAX_ATTENDEES)
        if slot < SERIES_SLOTS:
            pool = [self.people[i] for i in plan.series[slot].roster]
        elif rng.random() < 0.6:
            pool = self.people[:INTERNAL_PEOPLE]
        else:
            pool = self.people
        return rng, pool, min(count, len(pool))

    def attendee_rows(self, instance: dict) -> list[AttendeeRow]:
        """The attendee rows of a coded instance (``[]`` for any other)."""
        key = instance["meetingInstanceKey"]
        found = decode(key - INSTANCE_BASE)
        plan = self._plan_of_serial(found[0]) if found else None
        if found is None or plan is None:
            return []
        rng, pool, count = self._attendance(plan, found[2], key)
        start, end = parse_iso(instance["startTime"]), parse_iso(instance["endTime"])
        return make_attendees(rng, pool, key, start, end, count)

    # -- lookups ------------------------------------------------------------------------------
    def days_between(self, start: int, end: int) -> range:
        """Days (since the epoch) with history in ``[start, end]`` (epoch seconds)."""
        low = max(start, self.first) // DAY
        high = min(end, self.anchor) // DAY
        return range(low, high + 1)

    def instances_of(self, organizer: dict, start: str, end: str) -> list[dict]:
        """The organizer's instances that started within ``[start, end]`` (ISO strings)."""
        plan = self.plan(organizer)
        if plan is None:
            return []
        found = []
        for day in self.days_between(parse_iso(start), parse_iso(end)):
            for held in self.day(plan, day):
                if start <= held.instance["startTime"] <= end:
                    found.append(held.instance)
        return found

    def _find(self, code: int | None, *, by_meeting: bool) -> Held | None:
        found = decode(code) if code is not None else None
        if found is None:
            return None
        serial, day, slot = found
        plan = self._plan_of_serial(serial)
        if plan is None or day == SERIES_DAY:
            return None
        for held in self.day(plan, day):
            if held.instance["meetingInstanceKey"] == INSTANCE_BASE + code:
                return held
            if by_meeting and held.meeting["meetingId"] == MEETING_BASE + code:
                return held
        return None

    def instance(self, key: int) -> dict | None:
        held = self._find(key - INSTANCE_BASE, by_meeting=False)
        return held.instance if held else None

    def one_off_meeting(self, meeting_id: int) -> dict | None:
        """A past one-off meeting (one that was held) as the store keeps meetings."""
        code = meeting_id - MEETING_BASE
        found = decode(code)
        if found is None or found[2] < SERIES_SLOTS:
            return None
        held = self._find(code, by_meeting=True)
        if held is None:
            return None
        return {
            **held.meeting,
            "maxParticipants": DEFAULT_MAX_ATTENDEES,
            "coorganizerKeys": [],
            "live": False,
            "source": "history",
        }

    def instances_of_meeting(self, meeting_id: int) -> list[dict]:
        """Every instance of a coded meeting (a series: the whole year; a one-off: one)."""
        found = decode(meeting_id - MEETING_BASE)
        if found is None:
            return []
        serial, day, slot = found
        plan = self._plan_of_serial(serial)
        if plan is None:
            return []
        if day != SERIES_DAY:
            held = self._find(meeting_id - MEETING_BASE, by_meeting=True)
            return [held.instance] if held else []
        return [
            held.instance
            for d in self.days_between(self.first, self.anchor)
            for held in self.day(plan, d)
            if held.instance["meetingId"] == meeting_id
        ]
