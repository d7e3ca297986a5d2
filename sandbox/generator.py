"""Deterministic demo data: the same seed, size and anchor always give the same state.

The timeline is anchored at ``anchor`` (epoch seconds, a whole minute): history covers
the 365 days before it, scheduled meetings the 30 days after, and a few meetings are
running at the anchor. Everything random comes from ``random.Random`` seeded with the
seed (plus a label), and every key from ``KeyGen`` seeded with it too.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass

from sandbox import demo_account as acct
from sandbox.keys import KeyGen
from sandbox.names import (
    CONFERENCE_CALL_INFO,
    CUSTOMERS,
    FIRST_NAMES,
    LAST_NAMES,
    ONE_OFF_SUBJECTS,
    PARTNER_DOMAINS,
    RECURRING_SUBJECTS,
)
from sandbox.sizes import SIZES, SizeProfile
from sandbox.timeutil import iso

STATE_VERSION = 1
DAY = 86_400
HISTORY_DAYS = 365
DEFAULT_MAX_ATTENDEES = 250
MAX_ORDINARY_GROUP = 45  # members of an ordinary group, leaving room to invite a few more

PRODUCT_ROTATION: tuple[tuple[str, ...], ...] = (
    ("G2M",),
    ("G2M", "G2W"),
    ("G2M",),
    ("G2M", "G2T"),
    ("G2M",),
    ("G2M", "OPENVOICE"),
    ("G2M",),
    ("G2M",),
    ("G2M", "G2W"),
    ("G2M",),
)

# One attendee row as stored: [meetingInstanceKey, name, email, joinTime, leaveTime, minutes]
AttendeeRow = list


@dataclass(frozen=True)
class Person:
    """Someone who can attend a meeting."""

    name: str
    email: str
    internal: bool


def ascii_slug(text: str) -> str:
    """``"Müller"`` → ``"muller"``: lower-case ASCII letters and digits only."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def people_pool(seed: int) -> list[Person]:
    """Employees and outside contacts who attend meetings (depends on the seed only)."""
    rng = random.Random(f"people:{seed}")
    people: list[Person] = []
    seen: set[str] = set()

    def add(first: str, last: str, domain: str, internal: bool) -> None:
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{domain}"
        n = 2
        while email in seen:
            email = f"{local}{n}@{domain}"
            n += 1
        seen.add(email)
        people.append(Person(f"{first} {last}", email, internal))

    for _ in range(180):
        add(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), acct.EMAIL_DOMAIN, True)
    for _ in range(140):
        add(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(PARTNER_DOMAINS), False)
    return people


def attendee_count(rng: random.Random, mean: float, cap: int) -> int:
    """A realistic, right-skewed number of attendees (log-normal, sigma 0.7)."""
    if rng.random() < 0.03:
        return 0
    mu = math.log(mean) - 0.245  # E[lognormal] = exp(mu + sigma^2 / 2)
    return max(1, min(cap, int(round(rng.lognormvariate(mu, 0.7)))))


def make_attendees(
    rng: random.Random,
    candidates: list[Person],
    instance_key: int,
    start: int,
    end: int,
    count: int,
) -> list[AttendeeRow]:
    """Attendee rows for one meeting instance: join near the start, most stay to the end."""
    chosen = rng.sample(candidates, min(count, len(candidates)))
    length = max(60, end - start)
    rows: list[AttendeeRow] = []
    for person in chosen:
        name, email = person.name, person.email
        if rng.random() < 0.02:  # a dial-in caller: no e-mail address
            name, email = f"Caller +1 555 01{rng.randint(0, 99):02d} {rng.randint(0, 9999):04d}", ""
        join = start + rng.randint(0, min(600, length // 3))
        if rng.random() < 0.3:
            leave = end - rng.randint(0, length // 4)
        else:
            leave = end - rng.randint(0, 60)
        leave = max(leave, join + 60)
        rows.append([instance_key, name, email, iso(join), iso(leave), round((leave - join) / 60)])
    return rows


class _Builder:
    """Accumulates the state while generating (one use)."""

    def __init__(self, seed: int, profile: SizeProfile, anchor: int) -> None:
        self.seed = seed
        self.profile = profile
        self.anchor = anchor
        self.rng = random.Random(f"data:{seed}")
        self.keys = KeyGen(seed)
        self.people = people_pool(seed)
        self.internal = [p for p in self.people if p.internal]
        self.external = [p for p in self.people if not p.internal]
        self.groups: list[dict] = []
        self.organizers: list[dict] = []
        self.meetings: list[dict] = []
        self.instances: list[dict] = []
        self.attendees: list[AttendeeRow] = []
        self.emails: set[str] = set()
        self.product_turn = 0
        for spec in acct.GROUPS:
            self.keys.reserve(spec.key)
        for user in acct.DEMO_USERS:
            self.keys.reserve(user.key)

    # -- organizers -----------------------------------------------------------------
    def build_groups(self) -> None:
        for spec in acct.GROUPS:
            parent = acct.group_spec(spec.parent).key if spec.parent else spec.key
            self.groups.append(
                {
                    "groupkey": spec.key,
                    "groupName": spec.name,
                    "parentKey": parent,
                    "status": "active",
                }
            )

    def group_key(self, name: str) -> int:
        """The key of the group called ``name``."""
        return acct.group_spec(name).key

    def unique_email(self, first: str, last: str) -> str:
        local = f"{ascii_slug(first)}.{ascii_slug(last)}"
        email = f"{local}@{acct.EMAIL_DOMAIN}"
        n = 2
        while email in self.emails:
            email = f"{local}{n}@{acct.EMAIL_DOMAIN}"
            n += 1
        self.emails.add(email)
        return email

    def add_organizer(
        self,
        *,
        key: int | None,
        email: str,
        first: str,
        last: str,
        group: str,
        status: str = "active",
        products: list[str] | None = None,
        admin: bool = False,
        created: int,
    ) -> dict:
        organizer = {
            "organizerKey": key,
            "email": email,
            "firstName": first,
            "lastName": last,
            "groupKey": self.group_key(group),
            "status": status,
            "products": ["G2M"] if products is None else products,
            "maxNumAttendeesAllowed": DEFAULT_MAX_ATTENDEES,
            "admin": admin,
            "confirmed": key is not None,
            "locale": acct.LOCALE,
            "createTime": iso(created),
        }
        self.organizers.append(organizer)
        return organizer

    def next_products(self) -> list[str]:
        """Products in a fixed rotation, so every size has G2W, G2T and OpenVoice users."""
        products = list(PRODUCT_ROTATION[self.product_turn % len(PRODUCT_ROTATION)])
        self.product_turn += 1
        return products

    def add_demo_users(self) -> None:
        """The demo account's named users, first, with their fixed keys and groups."""
        long_ago = self.anchor - (HISTORY_DAYS + 200) * DAY
        for user in acct.DEMO_USERS:
            self.emails.add(user.email)
            self.add_organizer(
                key=user.key,
                email=user.email,
                first=user.first_name,
                last=user.last_name,
                group=user.group,
                admin=user.admin,
                created=long_ago,
            )

    def build_organizers(self) -> None:
        self.add_demo_users()
        profile = self.profile
        groups = [acct.TOP_GROUP, acct.TOP_GROUP]
        weights = (5, 2, 4, 3, 2, 1)  # Engineering, Platform, Sales, Support, Marketing, Finance
        cycle = [  # interleaved, so even the small size puts someone in every group
            group
            for turn in range(max(weights))
            for group, weight in zip(acct.ORDINARY_GROUPS, weights, strict=True)
            if weight > turn
        ]
        members = {user.group: 0 for user in acct.DEMO_USERS}
        for user in acct.DEMO_USERS:
            members[user.group] += 1
        turn = 0
        while len(groups) < profile.ordinary_organizers:
            group = cycle[turn % len(cycle)]
            turn += 1
            if members.get(group, 0) < MAX_ORDINARY_GROUP:  # group calls stay allowed
                members[group] = members.get(group, 0) + 1
                groups.append(group)
        states = ["suspended"] * profile.suspended + ["pending"] * profile.pending
        states += ["active"] * (profile.ordinary_organizers - len(states))
        self.rng.shuffle(states)
        for group, state in zip(groups, states, strict=True):
            self.add_generated(group, state)
        big_states = ["pending", "suspended"] + ["active"] * (profile.big_group_organizers - 2)
        for state in big_states:
            self.add_generated(acct.BIG_GROUP, state)

    def add_generated(self, group: str, state: str) -> None:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        email = self.unique_email(first, last)
        products = self.next_products() if state != "suspended" else []
        created = self.anchor - self.rng.randint(400, 1500) * DAY
        if state == "pending":
            created = self.anchor - self.rng.randint(1, 20) * DAY
            self.add_organizer(
                key=None,
                email=email,
                first=first,
                last=last,
                group=group,
                products=products,
                created=created,
            )
            return
        key = self.keys.next("organizer")
        if state == "suspended":
            self.add_organizer(
                key=key,
                email=email,
                first=first,
                last=last,
                group=group,
                status="suspended",
                products=[],
                created=created,
            )
        else:
            self.add_organizer(
                key=key,
                email=email,
                first=first,
                last=last,
                group=group,
                products=products,
                created=created,
            )

    # -- meetings -------------------------------------------------------------------
    def subject_for_one_off(self) -> str:
        template = self.rng.choice(ONE_OFF_SUBJECTS)
        person = self.rng.choice(self.internal).name
        return template.format(customer=self.rng.choice(CUSTOMERS), person=person)

    def add_meeting(
        self,
        organizer: dict,
        *,
        subject: str,
        start: int,
        minutes: int,
        meeting_type: str,
        live: bool = False,
        source: str = "generated",
    ) -> dict:
        meeting = {
            "meetingId": self.keys.next("meeting"),
            "organizerKey": organizer["organizerKey"],
            "subject": subject,
            "startTime": iso(start),
            "endTime": iso(start + minutes * 60),
            "meetingType": meeting_type,
            "passwordRequired": self.rng.random() < 0.15,
            "conferenceCallInfo": self.rng.choice(CONFERENCE_CALL_INFO),
            "maxParticipants": organizer["maxNumAttendeesAllowed"],
            "coorganizerKeys": [],
            "createTime": iso(min(start, self.anchor) - self.rng.randint(1, 30) * DAY),
            "live": live,
            "source": source,
        }
        self.meetings.append(meeting)
        return meeting

    def hold(self, meeting: dict, start: int, minutes: int, candidates: list[Person]) -> None:
        """Record that ``meeting`` was started at ``start`` (adds an instance and attendees)."""
        rng = self.rng
        actual_start = start + rng.randint(-120, 480)
        actual_minutes = max(3, round(minutes * rng.uniform(0.6, 1.2)))
        end = actual_start + actual_minutes * 60
        key = self.keys.next("instance")
        count = attendee_count(rng, self.profile.mean_attendees, meeting["maxParticipants"])
        rows = make_attendees(rng, candidates, key, actual_start, end, count)
        self.attendees.extend(rows)
        self.instances.append(
            {
                "meetingInstanceKey": key,
                "meetingId": meeting["meetingId"],
                "sessionId": self.keys.next("session"),
                "organizerKey": meeting["organizerKey"],
                "subject": meeting["subject"],
                "meetingType": meeting["meetingType"],
                "conferenceCallInfo": meeting["conferenceCallInfo"],
                "passwordRequired": meeting["passwordRequired"],
                "startTime": iso(actual_start),
                "endTime": iso(end),
                "duration": actual_minutes,
                "numAttendees": len(rows),
            }
        )

    def business_time(self, day_start: int) -> int:
        """A start time on a working day at or after ``day_start`` (UTC office hours)."""
        day = day_start - day_start % DAY
        while (day // DAY + 3) % 7 >= 5:  # 1970-01-01 was a Thursday: 5, 6 = Sat, Sun
            day += DAY
        return day + self.rng.randint(7, 17) * 3600 + self.rng.choice((0, 15, 30, 45)) * 60

    def past_business_time(self, low: int, high: int) -> int:
        """A working-hours start in ``[low, high)``; ``high`` is the latest allowed start."""
        for _ in range(20):
            start = self.business_time(self.rng.randint(low, max(low, high - DAY)))
            if start < high:
                return start
        return high - 2 * 3600

    def roster(self, organizer: dict, size: int) -> list[Person]:
        size = max(2, size)
        group = organizer["groupKey"]
        sales = {acct.group_spec("Sales").key, acct.group_spec(acct.BIG_GROUP).key}
        externals = self.rng.randint(1, 3) if group in sales else 0
        picked = self.rng.sample(self.internal, min(size, len(self.internal)))
        picked += self.rng.sample(self.external, externals)
        return picked

    def build_history(self, organizer: dict, count: int) -> None:
        """About ``count`` started meetings for ``organizer`` over the last year."""
        rng = self.rng
        active_until = self.anchor
        if organizer["status"] == "suspended":
            active_until = self.anchor - rng.randint(20, 200) * DAY
        window_start = self.anchor - HISTORY_DAYS * DAY
        series_count = 0 if count < 8 else 1 if count < 30 else 2 if count < 60 else 3
        recurring_total = int(count * 0.6) if series_count else 0
        for index in range(series_count):
            share = recurring_total // series_count
            period = 7 if rng.random() < 0.8 else 14
            minutes = rng.choice((30, 30, 45, 60))
            held_ratio = 0.9
            span = int(share / held_ratio) * period * DAY
            first = max(window_start, active_until - span)
            first = self.business_time(first + index * DAY)
            size = attendee_count(rng, self.profile.mean_attendees, 40) + 1
            roster = self.roster(organizer, size + rng.randint(0, 3))
            subject = RECURRING_SUBJECTS[
                (index + rng.randrange(len(RECURRING_SUBJECTS))) % len(RECURRING_SUBJECTS)
            ]
            occurrences = range(first, active_until - 3 * 3600, period * DAY)
            next_start = first + len(occurrences) * period * DAY
            while next_start <= self.anchor:
                next_start += period * DAY
            if organizer["status"] == "active":
                shown = next_start
            else:
                shown = occurrences[-1] if occurrences else first
            meeting = self.add_meeting(
                organizer, subject=subject, start=shown, minutes=minutes, meeting_type="recurring"
            )
            for start in occurrences:
                if rng.random() < held_ratio:
                    self.hold(meeting, start, minutes, roster)
        for _ in range(max(0, count - recurring_total)):
            start = self.past_business_time(window_start, active_until - 3 * 3600)
            minutes = rng.choice((15, 30, 30, 45, 60, 60, 90))
            immediate = rng.random() < 0.12
            subject = "Meet Now" if immediate else self.subject_for_one_off()
            meeting = self.add_meeting(
                organizer,
                subject=subject,
                start=start,
                minutes=minutes,
                meeting_type="immediate" if immediate else "scheduled",
            )
            candidates = self.internal if rng.random() < 0.6 else self.people
            self.hold(meeting, start, minutes, candidates)
        for _ in range(rng.randint(0, 2) if count >= 4 else 0):  # scheduled, never started
            start = self.past_business_time(window_start, active_until - 3 * 3600)
            self.add_meeting(
                organizer,
                subject=self.subject_for_one_off(),
                start=start,
                minutes=30,
                meeting_type="scheduled",
            )

    def build_upcoming(self, organizer: dict, count: int) -> None:
        for _ in range(count):
            start = self.business_time(self.anchor + self.rng.randint(1, 30) * DAY)
            minutes = self.rng.choice((30, 30, 45, 60, 90))
            self.add_meeting(
                organizer,
                subject=self.subject_for_one_off(),
                start=start,
                minutes=minutes,
                meeting_type="scheduled",
            )

    def build_meetings(self) -> None:
        rng = self.rng
        profile = self.profile
        hosts = [o for o in self.organizers if o["organizerKey"] is not None]
        demo_keys = [user.key for user in acct.DEMO_USERS]
        demo_weight = dict(zip(demo_keys, (1.0, 3.0, 2.5), strict=True))  # admin, manager, org.
        big_key = acct.group_spec(acct.BIG_GROUP).key
        weights = []
        for organizer in hosts:
            if organizer["organizerKey"] in demo_weight:
                weights.append(demo_weight[organizer["organizerKey"]])
            elif organizer["groupKey"] == big_key:
                weights.append(rng.uniform(0.1, 0.3))
            else:
                weights.append(rng.uniform(0.5, 2.0))
        total = sum(weights)
        for organizer, weight in zip(hosts, weights, strict=True):
            self.build_history(organizer, round(profile.target_instances * weight / total))
            if organizer["status"] == "active":
                is_demo = organizer["organizerKey"] in demo_weight
                upcoming = rng.randint(3, 5) if is_demo else rng.randint(0, 3)
                self.build_upcoming(organizer, upcoming)
        active = [
            o for o in hosts if o["status"] == "active" and o["organizerKey"] not in demo_weight
        ]
        for organizer in rng.sample(active, min(profile.live_meetings, len(active))):
            start = self.anchor - rng.choice((10, 20, 35)) * 60
            self.add_meeting(
                organizer,
                subject=self.subject_for_one_off(),
                start=start,
                minutes=60,
                meeting_type="scheduled",
                live=True,
            )

    def result(self, size: str) -> dict:
        self.instances.sort(key=lambda item: (item["startTime"], item["meetingInstanceKey"]))
        return {
            "meta": {
                "version": STATE_VERSION,
                "seed": self.seed,
                "size": size,
                "anchor": iso(self.anchor),
                "account_key": acct.ACCOUNT_KEY,
                "counters": dict(self.keys.counters),
            },
            "groups": self.groups,
            "organizers": self.organizers,
            "meetings": self.meetings,
            "instances": self.instances,
            "attendees": self.attendees,
        }


def generate(seed: int, size: str, anchor: int) -> dict:
    """The whole account's data for ``seed`` and ``size``, anchored at ``anchor``."""
    if SIZES[size].lazy_history:
        raise ValueError(f"{size} makes its history on demand: use store.generate_state")
    builder = _Builder(seed, SIZES[size], anchor)
    builder.build_groups()
    builder.build_organizers()
    builder.build_meetings()
    return builder.result(size)
