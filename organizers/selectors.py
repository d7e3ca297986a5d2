"""Reads of the organizers/groups cache: the querysets and aggregates the pages show.

What a user may see is decided in :mod:`portal.scoping`, which every selector calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from portal.scoping import visible_groups, visible_organizers

from .models import Group, Organizer, OrganizerStatus

# --- Lists and pages ---------------------------------------------------------------------------

INACTIVE_DAYS = (30, 60, 90)


def organizers_with_last_meeting(user) -> QuerySet[Organizer]:
    """Visible organizers, each annotated with ``last_meeting`` (its latest held instance).

    A correlated subquery, not ``Max`` over a join: it reads one entry of the (organizer,
    start_time) index per organizer shown, where the join grouped every instance of the
    account on each page view (60 ms at 100,000 instances; 3 ms this way — bench/).
    """
    from meetings.models import MeetingInstance

    latest = (
        MeetingInstance.objects.filter(organizer=OuterRef("pk"))
        .order_by("-start_time")
        .values("start_time")[:1]
    )
    return visible_organizers(user).annotate(last_meeting=Subquery(latest))


# What changes when an organizer or group is written: every write sets its ``synced_at``, the
# sync's deletion mark ``deleted_at`` (read from the organizers' table, one row per organizer).
_ORGANIZERS_VERSION = (
    "COUNT(*), MAX(synced_at), MAX(deleted_at),"
    " (SELECT COUNT(*) FROM {group}), (SELECT MAX(synced_at) FROM {group})"
)


def _version(sql: str) -> tuple:
    from meetings.models import MeetingInstance

    tables = {
        "organizer": connection.ops.quote_name(Organizer._meta.db_table),
        "group": connection.ops.quote_name(Group._meta.db_table),
        "instance": connection.ops.quote_name(MeetingInstance._meta.db_table),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**tables))
        return tuple(cursor.fetchone())


def organizers_version() -> tuple:
    """The organizers and groups alone, as a version for :mod:`portal.page_cache`: what an
    organizer picker lists (names, groups, who is deleted). One statement."""
    return _version(f"SELECT {_ORGANIZERS_VERSION} FROM {{organizer}}")  # noqa: S608 (names from the models)


def organizers_list_version() -> tuple:
    """What the organizers list shows, as a version for :mod:`portal.page_cache`: the
    organizers and groups (:func:`organizers_version`), and a new or newly synced meeting moves
    "last meeting". One statement (a warm page's whole cost is a few queries), each part read
    from an index or a table of one row per organizer or group."""
    return _version(
        f"SELECT {_ORGANIZERS_VERSION},"  # noqa: S608 (names from the models)
        " (SELECT MAX(id) FROM {instance}), (SELECT MAX(synced_at) FROM {instance})"
        " FROM {organizer}"
    )


def inactive_since(queryset: QuerySet[Organizer], days: int, *, now=None) -> QuerySet[Organizer]:
    """Organizers (annotated by :func:`organizers_with_last_meeting`) with no meeting held in
    the last ``days`` days, never-hosted ones included."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return queryset.filter(Q(last_meeting__lt=cutoff) | Q(last_meeting__isnull=True))


@dataclass
class GroupNode:
    group: Group
    depth: int
    active: int
    suspended: int
    pending: int
    deleted: int
    has_children: bool

    @property
    def total(self) -> int:
        return self.active + self.suspended + self.pending


def group_tree(user) -> list[GroupNode]:
    """The visible groups in tree order (parents before their children, depth-first), each
    with its organizers counted by status; a scoped Manager's top groups are roots."""
    live = Q(organizers__deleted_at__isnull=True)
    keyed = Q(organizers__organizer_key__isnull=False)
    groups = list(
        visible_groups(user).annotate(
            n_active=Count(
                "organizers", filter=live & keyed & Q(organizers__status=OrganizerStatus.ACTIVE)
            ),
            n_suspended=Count(
                "organizers",
                filter=live & keyed & Q(organizers__status=OrganizerStatus.SUSPENDED),
            ),
            n_pending=Count("organizers", filter=live & Q(organizers__organizer_key__isnull=True)),
            n_deleted=Count("organizers", filter=Q(organizers__deleted_at__isnull=False)),
        )
    )
    ids = {g.id for g in groups}
    children: dict[int | None, list[Group]] = {}
    for group in groups:
        parent = group.parent_id if group.parent_id in ids else None
        children.setdefault(parent, []).append(group)
    for siblings in children.values():
        siblings.sort(key=lambda g: g.name.lower())
    nodes: list[GroupNode] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        for group in children.get(parent_id, []):
            if group.id in seen:
                continue
            seen.add(group.id)
            nodes.append(
                GroupNode(
                    group=group,
                    depth=depth,
                    active=group.n_active,
                    suspended=group.n_suspended,
                    pending=group.n_pending,
                    deleted=group.n_deleted,
                    has_children=bool(children.get(group.id)),
                )
            )
            walk(group.id, depth + 1)

    walk(None, 0)
    for group in groups:  # anything left is in a parent cycle: show it at the top level
        if group.id not in seen:
            children.setdefault("cycle", []).append(group)
    walk("cycle", 0)
    return nodes


@dataclass
class OrganizerDetail:
    organizer: Organizer
    recent_instances: list
    meetings_held: int
    attendees_total: int
    attendee_minutes_total: int
    last_meeting: object
    audit_entries: list


def organizer_detail(*, organizer: Organizer, meetings: int = 20, audit: int = 50):
    """What the organizer page shows: last meetings, attendee totals, audit entries."""
    from accounts.models import AuditEntry
    from meetings.models import MeetingInstance

    instances = MeetingInstance.objects.filter(organizer=organizer)
    totals = instances.aggregate(
        held=Count("id"),
        attendees=Sum("num_attendees"),
        minutes=Sum("attendee_minutes"),
        last=Max("start_time"),
    )
    return OrganizerDetail(
        organizer=organizer,
        recent_instances=list(instances.order_by("-start_time")[:meetings]),
        meetings_held=totals["held"] or 0,
        attendees_total=totals["attendees"] or 0,
        attendee_minutes_total=totals["minutes"] or 0,
        last_meeting=totals["last"],
        audit_entries=list(
            AuditEntry.objects.filter(target_type="organizer", target_id=str(organizer.pk))
            .select_related("actor")
            .order_by("-created_at", "-id")[:audit]
        ),
    )


def import_progress(job) -> dict:
    """Counts of an import job's rows by outcome, for the progress bar and the result page."""
    from .models import ImportRowOutcome

    counts = dict(
        job.rows.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    invalid = counts.get(ImportRowOutcome.INVALID, 0)
    waiting = counts.get(ImportRowOutcome.WAITING, 0)
    created = counts.get(ImportRowOutcome.CREATED, 0)
    exists = counts.get(ImportRowOutcome.EXISTS, 0)
    failed = counts.get(ImportRowOutcome.FAILED, 0)
    to_send = waiting + created + exists + failed
    return {
        "invalid": invalid,
        "waiting": waiting,
        "created": created,
        "exists": exists,
        "failed": failed,
        "to_send": to_send,
        "done": to_send - waiting,
        "total": to_send + invalid,
        "percent": int(100 * (to_send - waiting) / to_send) if to_send else 100,
    }
