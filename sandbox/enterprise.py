"""The materialised part of a size whose history is generated on demand (``enterprise``):
groups, organizers, the recurring series, upcoming and live meetings. No instance and no
attendee row is made here; sandbox/lazy_history.py answers for them when asked.

Built in about a second (5,000 organizers, ~20,000 meetings), so the sandbox starts in
seconds whatever the size of its history.
"""

from __future__ import annotations

from sandbox import demo_account as acct
from sandbox.generator import DAY, HISTORY_DAYS, _Builder
from sandbox.keys import KeyGen
from sandbox.lazy_history import LAZY_RANGES, make_plan
from sandbox.sizes import SizeProfile
from sandbox.timeutil import iso, parse_iso

FIRST_EXTRA_GROUP_KEY = 7153264891230100100
MAX_ORDINARY_GROUP = 45
# (name, parent) of the groups an enterprise account adds to the fixed ones; the big ones
# (more than 50 organizers: group-scoped calls refuse them) come first.
BIG_GROUP_NAMES: tuple[tuple[str, str], ...] = (
    ("Inside Sales", "Sales"),
    ("Customer Success", "Support"),
    ("Professional Services", "Engineering"),
    ("Field Engineering", "Engineering"),
    ("Channel Partners", "Sales"),
    ("Support Tier 1", "Support"),
    ("Account Management", "Sales"),
    ("Solutions Consulting", "Sales"),
    ("Training", "Support"),
)
ORDINARY_GROUP_NAMES: tuple[tuple[str, str], ...] = (
    ("Backend", "Engineering"),
    ("Frontend", "Engineering"),
    ("Mobile", "Engineering"),
    ("QA", "Engineering"),
    ("Security", "Platform"),
    ("SRE", "Platform"),
    ("Data", "Platform"),
    ("Sales EMEA", "Sales"),
    ("Sales APAC", "Sales"),
    ("Sales Americas", "Sales"),
    ("Sales Operations", "Sales"),
    ("Support Tier 2", "Support"),
    ("Support Tier 3", "Support"),
    ("Documentation", "Support"),
    ("Brand", "Marketing"),
    ("Events", "Marketing"),
    ("Demand Generation", "Marketing"),
    ("Product Marketing", "Marketing"),
    ("Accounting", "Finance"),
    ("Procurement", "Finance"),
    ("Legal", acct.TOP_GROUP),
    ("People", acct.TOP_GROUP),
    ("Facilities", acct.TOP_GROUP),
)


class EnterpriseBuilder(_Builder):
    """``_Builder`` for a lazy-history size: more groups, several big ones, no history."""

    def __init__(self, seed: int, profile: SizeProfile, anchor: int) -> None:
        super().__init__(seed, profile, anchor)
        self.keys = KeyGen(seed, ranges=LAZY_RANGES)
        self.extra: list[tuple[int, str, str, bool]] = []  # key, name, parent, big
        names = BIG_GROUP_NAMES[: len(profile.extra_big_groups)]
        names += ORDINARY_GROUP_NAMES[: profile.extra_ordinary_groups]
        for index, (name, parent) in enumerate(names):
            big = index < len(profile.extra_big_groups)
            self.extra.append((FIRST_EXTRA_GROUP_KEY + index, name, parent, big))
        for spec in acct.GROUPS:
            self.keys.reserve(spec.key)
        for key, *_ in self.extra:
            self.keys.reserve(key)
        for user in acct.DEMO_USERS:
            self.keys.reserve(user.key)

    def group_key(self, name: str) -> int:
        for key, extra_name, _, _ in self.extra:
            if extra_name == name:
                return key
        return super().group_key(name)

    def build_groups(self) -> None:
        super().build_groups()
        for key, name, parent, _ in self.extra:
            self.groups.append(
                {"groupkey": key, "groupName": name, "parentKey": self.group_key(parent)}
                | {"status": "active"}
            )

    def build_organizers(self) -> None:
        self.add_demo_users()
        profile = self.profile
        ordinary = list(acct.ORDINARY_GROUPS) + [name for _, name, _, big in self.extra if not big]
        members = dict.fromkeys(ordinary, 0)
        for user in acct.DEMO_USERS:
            if user.group in members:
                members[user.group] += 1
        placed: list[str] = []
        turn = 0
        while len(placed) < profile.ordinary_organizers:
            group = ordinary[turn % len(ordinary)]
            turn += 1
            if members[group] < MAX_ORDINARY_GROUP:
                members[group] += 1
                placed.append(group)
        placed += [acct.BIG_GROUP] * profile.big_group_organizers
        for (_, name, _, big), size in zip(
            [e for e in self.extra if e[3]], profile.extra_big_groups, strict=True
        ):
            assert big
            placed += [name] * size
        states = ["suspended"] * profile.suspended + ["pending"] * profile.pending
        states += ["active"] * (len(placed) - len(states))
        self.rng.shuffle(states)
        for group, state in zip(placed, states, strict=True):
            self.add_generated(group, state)
        for serial, organizer in enumerate(self.organizers):
            organizer["serial"] = serial
            if organizer["status"] == "suspended":
                stopped = self.anchor - self.rng.randint(20, 200) * DAY
                organizer["historyUntil"] = iso(stopped)

    def build_meetings(self) -> None:
        """Each host's recurring series (their next or last occurrence), 0-3 upcoming one-off
        meetings (3-5 for the demo users) and the live meetings at the anchor."""
        rng = self.rng
        demo_keys = {user.key for user in acct.DEMO_USERS}
        hosts = [o for o in self.organizers if o["organizerKey"] is not None]
        for organizer in hosts:
            self._build_series(organizer)
            if organizer["status"] == "active":
                is_demo = organizer["organizerKey"] in demo_keys
                self.build_upcoming(organizer, rng.randint(3, 5) if is_demo else rng.randint(0, 3))
        active = [
            o for o in hosts if o["status"] == "active" and o["organizerKey"] not in demo_keys
        ]
        for organizer in rng.sample(active, min(self.profile.live_meetings, len(active))):
            start = self.anchor - rng.choice((10, 20, 35)) * 60
            self.add_meeting(
                organizer,
                subject=self.subject_for_one_off(),
                start=start,
                minutes=60,
                meeting_type="scheduled",
                live=True,
            )

    def _build_series(self, organizer: dict) -> None:
        until = organizer.get("historyUntil")
        plan = make_plan(
            self.seed,
            organizer["serial"],
            organizer["organizerKey"],
            self.anchor,
            len(self.people),
        )
        for series in plan.series:
            # Active: the next occurrence; suspended: the last one before they stopped.
            day = (self.anchor if until is None else parse_iso(until)) // DAY
            step = 1 if until is None else -1
            while not series.occurs_on(day):
                day += step
            start = day * DAY + series.offset
            self.meetings.append(
                {
                    "meetingId": series.meeting_id,
                    "organizerKey": organizer["organizerKey"],
                    "subject": series.subject,
                    "startTime": iso(start),
                    "endTime": iso(start + series.minutes * 60),
                    "meetingType": "recurring",
                    "passwordRequired": series.password,
                    "conferenceCallInfo": series.conference,
                    "maxParticipants": organizer["maxNumAttendeesAllowed"],
                    "coorganizerKeys": [],
                    "createTime": iso(self.anchor - HISTORY_DAYS * DAY - 30 * DAY),
                    "live": False,
                    "source": "generated",
                }
            )
