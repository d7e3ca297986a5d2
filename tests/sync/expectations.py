"""What the cache must hold after a full sync: the sandbox's own state, field by field."""

from __future__ import annotations

from datetime import UTC, datetime

from gotomeeting.parsing import parse_datetime
from meetings.models import Attendee, Meeting, MeetingInstance
from organizers.models import Group, Organizer


def _when(text: str) -> datetime:
    return parse_datetime(text)


def expected_groups(state: dict) -> dict:
    return {
        g["groupkey"]: (
            g["groupName"],
            None if g["parentKey"] == g["groupkey"] else g["parentKey"],
            g["numOrganizers"],
        )
        for g in state["groups"]
    }


def cached_groups() -> dict:
    return {
        g.group_key: (g.name, g.parent.group_key if g.parent else None, g.num_organizers)
        for g in Group.objects.select_related("parent")
    }


def expected_organizers(state: dict) -> dict:
    return {
        o["email"]: (
            o["organizerKey"],
            o["groupKey"],
            o["status"],
            ",".join(o["products"]),
            o["firstName"],
            o["lastName"],
        )
        for o in state["organizers"]
    }


def cached_organizers() -> dict:
    return {
        o.email: (
            o.organizer_key,
            o.group.group_key if o.group else None,
            o.status,
            o.products,
            o.first_name,
            o.last_name,
        )
        for o in Organizer.objects.filter(deleted_at__isnull=True).select_related("group")
    }


def expected_instances(state: dict) -> dict:
    group_of = {o["organizerKey"]: o["groupKey"] for o in state["organizers"]}
    return {
        i["meetingInstanceKey"]: (
            i["meetingId"],
            i["organizerKey"],
            group_of.get(i["organizerKey"]),
            i["subject"],
            _when(i["startTime"]),
            _when(i["endTime"]),
            i["duration"],
            i["numAttendees"],
        )
        for i in state["instances"]
    }


def cached_instances() -> dict:
    return {
        i.instance_key: (
            i.meeting_id,
            i.organizer.organizer_key if i.organizer else None,
            i.group.group_key if i.group else None,
            i.subject,
            i.start_time,
            i.end_time,
            i.duration_minutes,
            i.num_attendees,
        )
        for i in MeetingInstance.objects.select_related("organizer", "group")
    }


def expected_attendees(state: dict) -> dict:
    found: dict = {}
    for a in state["attendees"]:
        found[(a["meetingInstanceKey"], a["attendeeEmail"], _when(a["joinTime"]))] = (
            a["attendeeName"],
            a["duration"],
        )
    return found


def cached_attendees() -> dict:
    return {
        (a.instance.instance_key, a.email, a.join_time): (a.name, a.duration_minutes)
        for a in Attendee.objects.select_related("instance")
    }


def expected_upcoming(state: dict, now: datetime) -> dict:
    confirmed = {o["organizerKey"] for o in state["organizers"] if o["organizerKey"]}
    return {
        m["meetingId"]: (m["organizerKey"], m["subject"], _when(m["startTime"]))
        for m in state["meetings"]
        if _when(m["endTime"]) > now and m["organizerKey"] in confirmed
    }


def cached_upcoming() -> dict:
    return {
        m.meeting_id: (m.organizer.organizer_key if m.organizer else None, m.subject, m.start_time)
        for m in Meeting.objects.filter(removed_at__isnull=True).select_related("organizer")
    }


def assert_cache_matches(state: dict, *, now: datetime | None = None) -> None:
    """Every group, organizer, meeting instance, attendee and upcoming meeting of the sandbox
    is in the cache with the same values, and nothing else is (live flags included)."""
    now = now or datetime.now(UTC)
    assert cached_groups() == expected_groups(state)
    assert cached_organizers() == expected_organizers(state)
    assert cached_instances() == expected_instances(state)
    assert cached_attendees() == expected_attendees(state)
    minutes: dict[int, int] = {}
    for a in state["attendees"]:
        minutes[a["meetingInstanceKey"]] = minutes.get(a["meetingInstanceKey"], 0) + a["duration"]
    cached_minutes = dict(MeetingInstance.objects.values_list("instance_key", "attendee_minutes"))
    assert cached_minutes == {key: minutes.get(key, 0) for key in cached_minutes}
    assert not MeetingInstance.objects.filter(attendees_synced_at__isnull=True).exists()
    assert cached_upcoming() == expected_upcoming(state, now)
    live = {m["meetingId"] for m in state["meetings"] if m["status"] == "ACTIVE"}
    assert set(Meeting.objects.filter(is_live=True).values_list("meeting_id", flat=True)) == live
