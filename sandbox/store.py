"""The account's data in memory, with indexes, the mutations the API performs and
the bookkeeping of live meetings.

Callers hold ``store.lock`` around a whole request; methods do not lock themselves.
Every mutation records which state-file sections it touched in ``store.dirty``.
"""

from __future__ import annotations

import random
import threading

from sandbox import demo_account as acct
from sandbox.enterprise import EnterpriseBuilder
from sandbox.generator import (
    STATE_VERSION,
    AttendeeRow,
    attendee_count,
    generate,
    make_attendees,
    people_pool,
)
from sandbox.keys import KeyGen
from sandbox.lazy_history import LAZY_RANGES, LazyHistory
from sandbox.sizes import SIZES
from sandbox.timeutil import floor_minute, iso, parse_iso

DATA_SECTIONS = ("meta", "groups", "organizers", "meetings", "instances", "attendees")
PRODUCTS = ("G2M", "G2W", "G2T", "OPENVOICE")
KEEPALIVE_MEETINGS = 2


def generate_state(seed: int, size: str, anchor: int) -> dict:
    """The generated data of ``size``; a lazy-history size gets no instance or attendee."""
    profile = SIZES[size]
    if not profile.lazy_history:
        return generate(seed, size, anchor)
    builder = EnterpriseBuilder(seed, profile, anchor)
    builder.build_groups()
    builder.build_organizers()
    builder.build_meetings()
    return builder.result(size)


def products_for(product_type: str) -> list[str]:
    """Products an organizer created for ``product_type`` gets (G2W/G2T include G2M)."""
    return ["G2M", product_type] if product_type in ("G2W", "G2T") else [product_type]


class Store:
    """All groups, organizers, meetings, instances and attendees of the demo account."""

    def __init__(self, data: dict) -> None:
        self.lock = threading.RLock()
        self.dirty: set[str] = set()
        self._load(data)

    # -- loading ------------------------------------------------------------------------
    @staticmethod
    def is_compatible(data: dict | None) -> bool:
        """Whether a loaded state file can be used as is."""
        return bool(data) and data.get("meta", {}).get("version") == STATE_VERSION

    @classmethod
    def generated(cls, seed: int, size: str, anchor: int) -> Store:
        """A fresh store for ``seed``/``size`` anchored at ``anchor``."""
        store = cls(generate_state(seed, size, anchor))
        store.dirty.update(DATA_SECTIONS)
        return store

    def _load(self, data: dict) -> None:
        self.meta: dict = data["meta"]
        self.seed: int = self.meta["seed"]
        profile = SIZES.get(self.meta["size"])
        lazy = profile is not None and profile.lazy_history
        self.keys = KeyGen(self.seed, self.meta.get("counters"), LAZY_RANGES if lazy else None)
        self.groups: list[dict] = data["groups"]
        self.organizers: list[dict] = data["organizers"]
        self.meetings: dict[int, dict] = {m["meetingId"]: m for m in data["meetings"]}
        self.instances: dict[int, dict] = {i["meetingInstanceKey"]: i for i in data["instances"]}
        self.attendees: dict[int, list[AttendeeRow]] = {}
        for row in data["attendees"]:
            self.attendees.setdefault(row[0], []).append(row)
        self._people = None
        self._reindex()
        # History made on demand (sandbox/lazy_history.py) for sizes too big to hold; the
        # instances above are then only those added at run time (holds, ended live meetings).
        self.lazy: LazyHistory | None = None
        if lazy:
            assert profile is not None
            self.lazy = LazyHistory(
                seed=self.seed,
                anchor=parse_iso(self.meta["anchor"]),
                mean_attendees=profile.mean_attendees,
                people=self.people,
                organizer_of=self.org_by_serial.get,
            )

    def _reindex(self) -> None:
        self.group_by_key = {g["groupkey"]: g for g in self.groups}
        self.org_by_email = {o["email"].lower(): o for o in self.organizers}
        self.org_by_key = {o["organizerKey"]: o for o in self.organizers if o["organizerKey"]}
        self.org_by_serial = {o["serial"]: o for o in self.organizers if "serial" in o}
        self.meetings_by_org: dict[int, list[dict]] = {}
        for meeting in self.meetings.values():
            self.meetings_by_org.setdefault(meeting["organizerKey"], []).append(meeting)
        self.instances_by_org: dict[int, list[dict]] = {}
        self.instances_by_meeting: dict[int, list[dict]] = {}
        for instance in self.instances.values():
            self.instances_by_org.setdefault(instance["organizerKey"], []).append(instance)
            self.instances_by_meeting.setdefault(instance["meetingId"], []).append(instance)
        self.live_ids = {m["meetingId"] for m in self.meetings.values() if m["live"]}
        for key in [g["groupkey"] for g in self.groups] + list(self.org_by_key):
            self.keys.reserve(key)
        for key in list(self.meetings) + list(self.instances):
            self.keys.reserve(key)
        for instance in self.instances.values():
            self.keys.reserve(instance["sessionId"])

    def reset(self, anchor: int) -> None:
        """Regenerate everything from the seed, anchored at ``anchor``."""
        self._load(generate_state(self.seed, self.meta["size"], anchor))
        self.dirty.update(DATA_SECTIONS)

    def section(self, name: str) -> object:
        """The JSON value of one state-file section."""
        if name == "meta":
            self.meta["counters"] = dict(self.keys.counters)
            return self.meta
        if name == "groups":
            return self.groups
        if name == "organizers":
            return self.organizers
        if name == "meetings":
            return list(self.meetings.values())
        if name == "instances":
            return list(self.instances.values())
        if name == "attendees":
            return [row for rows in self.attendees.values() for row in rows]
        raise KeyError(name)

    def touch(self, *sections: str) -> None:
        """Mark sections changed (the key counters live in ``meta``)."""
        self.dirty.update(sections)
        self.dirty.add("meta")

    @property
    def people(self) -> list:
        if self._people is None:
            self._people = people_pool(self.seed)
        return self._people

    # -- groups and organizers ------------------------------------------------------------
    def group_size(self, group_key: int) -> int:
        """How many organizers (pending and suspended included) are in the group."""
        return sum(1 for o in self.organizers if o["groupKey"] == group_key)

    def organizers_in_group(self, group_key: int) -> list[dict]:
        return [o for o in self.organizers if o["groupKey"] == group_key]

    def group_name(self, group_key: int) -> str:
        group = self.group_by_key.get(group_key)
        return group["groupName"] if group else ""

    def create_organizer(
        self,
        *,
        email: str,
        first_name: str,
        last_name: str,
        product_type: str,
        group_key: int,
        now: float,
    ) -> dict:
        """Invite an organizer: pending (no key) until they confirm."""
        organizer = {
            "organizerKey": None,
            "email": email,
            "firstName": first_name,
            "lastName": last_name,
            "groupKey": group_key,
            "status": "active",
            "products": products_for(product_type),
            "maxNumAttendeesAllowed": 250,
            "admin": False,
            "confirmed": False,
            "locale": acct.LOCALE,
            "createTime": iso(now),
        }
        self.organizers.append(organizer)
        self.org_by_email[email.lower()] = organizer
        self.touch("organizers")
        return organizer

    def confirm_organizer(self, organizer: dict) -> int:
        """The invitation is accepted: the organizer gets a key and can log in."""
        if organizer["organizerKey"] is None:
            organizer["organizerKey"] = self.keys.next("organizer")
            organizer["confirmed"] = True
            self.org_by_key[organizer["organizerKey"]] = organizer
            self.touch("organizers")
        return organizer["organizerKey"]

    def delete_organizer(self, organizer: dict) -> None:
        """Remove the organizer with their meetings and their report history (as GoTo does)."""
        self.organizers.remove(organizer)
        self.org_by_email.pop(organizer["email"].lower(), None)
        key = organizer["organizerKey"]
        self.touch("organizers")
        if key is None:
            return
        self.org_by_key.pop(key, None)
        self.org_by_serial.pop(organizer.get("serial"), None)  # its made-on-demand history too
        for meeting in self.meetings_by_org.pop(key, []):
            self.meetings.pop(meeting["meetingId"], None)
            self.live_ids.discard(meeting["meetingId"])
        for instance in self.instances_by_org.pop(key, []):
            self.instances.pop(instance["meetingInstanceKey"], None)
            self.attendees.pop(instance["meetingInstanceKey"], None)
            siblings = self.instances_by_meeting.get(instance["meetingId"], [])
            if instance in siblings:
                siblings.remove(instance)
        self.touch("meetings", "instances", "attendees")

    def update_organizer(
        self, organizer: dict, *, status: str | None, product_type: str | None
    ) -> None:
        """Suspend (removes all products), reactivate, or add a product (activates)."""
        if status == "suspended":
            organizer["status"] = "suspended"
            organizer["products"] = []
        else:
            organizer["status"] = "active"
            for product in products_for(product_type) if product_type else []:
                if product not in organizer["products"]:
                    organizer["products"].append(product)
            if not organizer["products"]:
                organizer["products"] = ["G2M"]
        self.touch("organizers")

    # -- meetings -------------------------------------------------------------------------
    def is_active(self, meeting: dict, now: float) -> bool:
        """ACTIVE while running: started (live) and not yet at its end time."""
        return bool(meeting["live"]) and iso(now) < meeting["endTime"]

    def upcoming_of(self, organizer_key: int, now: float) -> list[dict]:
        """Meetings of the organizer that have not ended (live ones included)."""
        current = iso(now)
        found = [m for m in self.meetings_by_org.get(organizer_key, []) if m["endTime"] > current]
        return sorted(found, key=lambda m: (m["startTime"], m["meetingId"]))

    def create_meeting(self, organizer: dict, fields: dict, now: float) -> dict:
        meeting = {
            "meetingId": self.keys.next("meeting"),
            "organizerKey": organizer["organizerKey"],
            "maxParticipants": organizer["maxNumAttendeesAllowed"],
            "createTime": iso(now),
            "live": False,
            "source": "api",
            **fields,
        }
        self.meetings[meeting["meetingId"]] = meeting
        self.meetings_by_org.setdefault(meeting["organizerKey"], []).append(meeting)
        self.touch("meetings")
        return meeting

    def update_meeting(self, meeting: dict, fields: dict) -> None:
        meeting.update(fields)
        self.touch("meetings")

    def delete_meeting(self, meeting: dict) -> None:
        """Delete a meeting; its past instances stay in the history."""
        self.meetings.pop(meeting["meetingId"], None)
        self.live_ids.discard(meeting["meetingId"])
        siblings = self.meetings_by_org.get(meeting["organizerKey"], [])
        if meeting in siblings:
            siblings.remove(meeting)
        if self.lazy is not None and meeting.get("source") == "history":
            # Made from the seed: remembered as deleted, or the next lookup would make it again.
            self.meta.setdefault("deletedMeetings", []).append(meeting["meetingId"])
        self.touch("meetings")

    # -- history --------------------------------------------------------------------------
    def instances_of(self, organizer_key: int, start: str, end: str) -> list[dict]:
        """Instances of the organizer that started within ``[start, end]`` (ISO strings)."""
        found = [
            i
            for i in self.instances_by_org.get(organizer_key, [])
            if start <= i["startTime"] <= end
        ]
        organizer = self.org_by_key.get(organizer_key)
        if self.lazy is not None and organizer is not None:
            found += self.lazy.instances_of(organizer, start, end)
        return sorted(found, key=lambda i: (i["startTime"], i["meetingInstanceKey"]))

    def instance(self, key: int) -> dict | None:
        """The meeting instance with ``key``, stored or made on demand."""
        found = self.instances.get(key)
        if found is None and self.lazy is not None:
            found = self.lazy.instance(key)
        return found

    def instances_of_meeting(self, meeting_id: int) -> list[dict]:
        """Every instance of the meeting ``meeting_id``, oldest first."""
        found = list(self.instances_by_meeting.get(meeting_id, []))
        if self.lazy is not None:
            found += self.lazy.instances_of_meeting(meeting_id)
        return sorted(found, key=lambda i: (i["startTime"], i["meetingInstanceKey"]))

    def attendee_rows(self, instance: dict) -> list[AttendeeRow]:
        """The attendee rows of ``instance``, stored or made on demand."""
        key = instance["meetingInstanceKey"]
        if key in self.attendees or self.lazy is None:
            return self.attendees.get(key, [])
        return self.lazy.attendee_rows(instance)

    def meeting(self, meeting_id: int) -> dict | None:
        """The meeting ``meeting_id``. A past one-off meeting of a made-on-demand history is
        stored the first time it is asked for, so a change to it sticks as at GoTo."""
        found = self.meetings.get(meeting_id)
        deleted = self.meta.get("deletedMeetings", ())
        if found is None and self.lazy is not None and meeting_id not in deleted:
            found = self.lazy.one_off_meeting(meeting_id)
            if found is not None:
                self.meetings[meeting_id] = found
                self.meetings_by_org.setdefault(found["organizerKey"], []).append(found)
                self.touch("meetings")
        return found

    def add_instance(
        self, meeting: dict, start: int, end: int, attendees: int, rng: random.Random
    ) -> dict:
        """Record a started meeting (an instance) with ``attendees`` attendee rows."""
        key = self.keys.next("instance")
        rows = make_attendees(rng, self.people, key, start, end, attendees)
        instance = {
            "meetingInstanceKey": key,
            "meetingId": meeting["meetingId"],
            "sessionId": self.keys.next("session"),
            "organizerKey": meeting["organizerKey"],
            "subject": meeting["subject"],
            "meetingType": meeting["meetingType"],
            "conferenceCallInfo": meeting["conferenceCallInfo"],
            "passwordRequired": meeting["passwordRequired"],
            "startTime": iso(start),
            "endTime": iso(end),
            "duration": max(1, round((end - start) / 60)),
            "numAttendees": len(rows),
        }
        self.instances[key] = instance
        self.attendees[key] = rows
        self.instances_by_org.setdefault(instance["organizerKey"], []).append(instance)
        self.instances_by_meeting.setdefault(instance["meetingId"], []).append(instance)
        self.touch("instances", "attendees")
        return instance

    def hold_meeting(self, meeting: dict, attendees: int, now: float) -> dict:
        """Simulate that ``meeting`` was just held: a new past instance ending now."""
        end = int(now)
        if meeting["live"]:
            start = min(parse_iso(meeting["startTime"]), end - 60)
        else:
            length = parse_iso(meeting["endTime"]) - parse_iso(meeting["startTime"])
            start = end - min(max(length, 300), 4 * 3600)
        serial = self.keys.counters.get("instance", 0)
        rng = random.Random(f"hold:{self.seed}:{meeting['meetingId']}:{serial}")
        instance = self.add_instance(meeting, start, end, attendees, rng)
        meeting["live"] = False
        self.live_ids.discard(meeting["meetingId"])
        if meeting["meetingType"] != "recurring":
            meeting["startTime"], meeting["endTime"] = iso(start), iso(end)
        self.touch("meetings")
        return instance

    def start_meeting(self, meeting: dict, now: float) -> None:
        """The host starts ``meeting`` now (GoTo lets a host start any meeting at any time).

        A meeting whose scheduled end has passed runs for its scheduled length from now (else
        it would settle at once).
        """
        if meeting["endTime"] <= iso(now):
            length = parse_iso(meeting["endTime"]) - parse_iso(meeting["startTime"])
            meeting["startTime"], meeting["endTime"] = iso(now), iso(now + max(length, 300))
        meeting["live"] = True
        self.live_ids.add(meeting["meetingId"])
        self.touch("meetings")

    def start_instant_meeting(self, organizer: dict, minutes: int, now: float) -> dict:
        """The organizer clicks "Meet now": an immediate meeting nobody scheduled, running."""
        start = int(now)
        fields = {
            "subject": "Meet Now",
            "startTime": iso(start),
            "endTime": iso(start + minutes * 60),
            "meetingType": "immediate",
            "passwordRequired": False,
            "conferenceCallInfo": "VoIP",
            "coorganizerKeys": [],
        }
        meeting = self.create_meeting(organizer, fields, now)
        meeting["source"] = "instant"
        self.start_meeting(meeting, now)
        return meeting

    def settle_live(self, now: float) -> None:
        """Live meetings whose end time has passed become history instances."""
        current = iso(now)
        for meeting_id in sorted(self.live_ids):
            meeting = self.meetings[meeting_id]
            if meeting["endTime"] > current:
                continue
            rng = random.Random(f"settle:{self.seed}:{meeting_id}")
            count = attendee_count(rng, 8.0, meeting["maxParticipants"])
            start, end = parse_iso(meeting["startTime"]), parse_iso(meeting["endTime"])
            self.add_instance(meeting, start, end, count, rng)
            meeting["live"] = False
            self.live_ids.discard(meeting_id)
            self.touch("meetings")

    def ensure_live(self, now: float) -> None:
        """If no meeting is running, start two (now - 20 min to now + 40 min)."""
        if any(self.is_active(self.meetings[m], now) for m in self.live_ids):
            return
        demo_keys = {user.key for user in acct.DEMO_USERS}
        hosts = sorted(
            o["organizerKey"]
            for o in self.organizers
            if o["organizerKey"] and o["status"] == "active" and o["organizerKey"] not in demo_keys
        )
        if not hosts:
            return
        rng = random.Random(f"keepalive:{self.seed}:{self.keys.counters.get('meeting', 0)}")
        start = floor_minute(now) - 20 * 60
        for key in rng.sample(hosts, min(KEEPALIVE_MEETINGS, len(hosts))):
            organizer = self.org_by_key[key]
            fields = {
                "subject": rng.choice(("Customer Call", "Team Sync", "Design Review")),
                "startTime": iso(start),
                "endTime": iso(start + 60 * 60),
                "meetingType": "scheduled",
                "passwordRequired": False,
                "conferenceCallInfo": "Hybrid",
                "coorganizerKeys": [],
            }
            meeting = self.create_meeting(organizer, fields, now)
            meeting["live"] = True
            meeting["source"] = "keepalive"
            self.live_ids.add(meeting["meetingId"])

    # -- snapshot ---------------------------------------------------------------------------
    def snapshot(self, now: float) -> dict:
        """Everything, for ``GET /_sandbox/state`` (attendee rows as objects).

        For a made-on-demand history (``enterprise``) ``instances`` and ``attendees`` hold
        only what was added at run time, and ``meta.history`` says so: a year of it would be
        gigabytes of JSON. Ask the API for a window instead.
        """
        counts: dict[int, int] = {}
        for organizer in self.organizers:
            counts[organizer["groupKey"]] = counts.get(organizer["groupKey"], 0) + 1
        meta = {key: value for key, value in self.meta.items() if key != "counters"}
        if self.lazy is not None:
            meta["history"] = "on demand: instances and attendees list only run-time additions"
        return {
            "meta": meta,
            "account": {"account_key": acct.ACCOUNT_KEY, "account_type": "corporate"},
            "groups": [{**g, "numOrganizers": counts.get(g["groupkey"], 0)} for g in self.groups],
            "organizers": [dict(o) for o in self.organizers],
            "meetings": [
                {**m, "status": "ACTIVE" if self.is_active(m, now) else "INACTIVE"}
                for m in self.meetings.values()
            ],
            "instances": list(self.instances.values()),
            "attendees": [
                {
                    "meetingInstanceKey": row[0],
                    "attendeeName": row[1],
                    "attendeeEmail": row[2],
                    "joinTime": row[3],
                    "leaveTime": row[4],
                    "duration": row[5],
                }
                for rows in self.attendees.values()
                for row in rows
            ],
        }
