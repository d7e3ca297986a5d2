"""The organizers pass: groups and organizers (with their status) in two calls.

An organizer gone from GoTo gets ``deleted_at`` (never removed, so its meetings keep their
owner).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from meetings.models import Meeting, MeetingInstance
from meetings.rollups import rollups_kept
from organizers.models import Group, Organizer

from ..models import SyncArea, SyncRun
from .rows import _chunks, _enum_value, _text
from .runs import Progress, _Recorder, _say

if TYPE_CHECKING:
    from gotomeeting import GoToMeetingClient
    from gotomeeting import models as api

logger = logging.getLogger(__name__)


def organizers_sync(
    *,
    client: GoToMeetingClient,
    triggered_by: str = "",
    run: SyncRun | None = None,
    progress: Progress | None = None,
) -> SyncRun:
    """Refresh groups (``get_groups``) and organizers (``get_organizers``) with their status.

    An organizer cached but no longer returned gets ``deleted_at`` (never removed, so its
    meetings keep their owner); a pending organizer (no key) is matched by email.
    """
    with _Recorder(
        area=SyncArea.ORGANIZERS, client=client, triggered_by=triggered_by, run=run
    ) as rec:
        if rec.skipped:
            return rec.run
        api_groups = client.get_groups()
        api_organizers = client.get_organizers()
        now = timezone.now()
        with transaction.atomic():
            group_counts = _upsert_groups(api_groups, api_organizers, now=now)
            organizer_counts = _upsert_organizers(api_organizers, now=now)
            linked = _link_orphan_meetings()
            rec.record(
                group_counts[0] + organizer_counts[0],
                group_counts[1] + organizer_counts[1] + linked,
                progress=1,
            )
        _say(
            progress,
            f"organizers: {len(api_groups)} groups, {len(api_organizers)} organizers from GoTo; "
            f"{rec.run.rows_created} created, {rec.run.rows_updated} updated",
        )
    return rec.run


def _upsert_groups(
    api_groups: Sequence[api.Group], api_organizers: Sequence[api.Organizer], *, now: datetime
) -> tuple[int, int]:
    members: dict[int, int] = {}
    for organizer in api_organizers:
        if organizer.group_key is not None:
            members[organizer.group_key] = members.get(organizer.group_key, 0) + 1
    before = {
        row["group_key"]: row
        for row in Group.objects.values("group_key", "name", "status", "num_organizers", "parent")
    }
    rows = {
        group.group_key: {
            "group_key": group.group_key,
            "name": _text(group.name, 255) or str(group.group_key),
            "status": _text(group.status, 32),
            "num_organizers": group.num_organizers
            if group.num_organizers is not None
            else members.get(group.group_key, 0),
        }
        for group in api_groups
    }
    fields = ["name", "status", "num_organizers"]
    Group.objects.bulk_create(
        [Group(**row, synced_at=now) for row in rows.values()],
        update_conflicts=True,
        unique_fields=["group_key"],
        update_fields=[*fields, "synced_at"],
    )
    ids = dict(Group.objects.filter(group_key__in=list(rows)).values_list("group_key", "id"))
    parents = {
        group.group_key: ids.get(group.parent_key) if group.parent_key is not None else None
        for group in api_groups
    }
    for group_key, parent_id in parents.items():
        if before.get(group_key, {}).get("parent") != parent_id:
            Group.objects.filter(group_key=group_key).update(parent_id=parent_id)
    created = sum(1 for group_key in rows if group_key not in before)
    updated = sum(
        1
        for group_key, row in rows.items()
        if group_key in before
        and (
            any(before[group_key][name] != row[name] for name in fields)
            or before[group_key]["parent"] != parents[group_key]
        )
    )
    return created, updated


_ORGANIZER_FIELDS = (
    "organizer_key",
    "email",
    "first_name",
    "last_name",
    "group_id",
    "status",
    "products",
    "max_attendees",
    "deleted_at",
)


def _upsert_organizers(
    api_organizers: Sequence[api.Organizer], *, now: datetime
) -> tuple[int, int]:
    group_ids = dict(Group.objects.values_list("group_key", "id"))
    cached = list(Organizer.objects.values("id", *_ORGANIZER_FIELDS))
    by_key = {row["organizer_key"]: row for row in cached if row["organizer_key"] is not None}
    by_email = {row["email"].lower(): row for row in cached}
    seen: set[int] = set()
    changed: list[Organizer] = []
    new: dict[str, dict] = {}
    for organizer in api_organizers:
        if not organizer.email and organizer.organizer_key is None:
            continue
        values = {
            "organizer_key": organizer.organizer_key,
            "email": _text(organizer.email, 254),
            "first_name": _text(organizer.first_name, 100),
            "last_name": _text(organizer.last_name, 100),
            "group_id": group_ids.get(organizer.group_key),
            "status": _enum_value(organizer.status, "active"),
            "products": ",".join(product.value for product in organizer.products)[:64],
            "max_attendees": organizer.max_attendees,
            "deleted_at": None,
        }
        match = by_key.get(organizer.organizer_key) if organizer.organizer_key else None
        if match is None:
            # A pending organizer, or one who just confirmed: the email is what we know.
            match = by_email.get(values["email"].lower())
            if match is not None and match["organizer_key"] not in (
                None,
                organizer.organizer_key,
            ):
                logger.warning(
                    "Organizer %s now has key %s (was %s)",
                    values["email"],
                    organizer.organizer_key,
                    match["organizer_key"],
                )
        if match is None:
            new[values["email"].lower()] = values
            continue
        if match["id"] in seen:  # the API listed one person twice
            continue
        seen.add(match["id"])
        owner = by_email.get(values["email"].lower())
        if owner is not None and owner["id"] != match["id"]:
            # The new address is still on another cached row (say a deleted organizer's):
            # keep the old address rather than break the sync on the unique email.
            logger.warning("Organizer %s: email %s is taken", match["id"], values["email"])
            values["email"] = match["email"]
        if any(match[name] != values[name] for name in _ORGANIZER_FIELDS):
            changed.append(Organizer(id=match["id"], synced_at=now, **values))
    for batch in _chunks(changed):
        Organizer.objects.bulk_update(batch, [*_ORGANIZER_FIELDS, "synced_at"])
    changed_ids = {organizer.id for organizer in changed}
    unchanged = [row_id for row_id in seen if row_id not in changed_ids]
    for ids in _chunks(unchanged):
        Organizer.objects.filter(id__in=ids).update(synced_at=now)
    for batch in _chunks(list(new.values())):
        Organizer.objects.bulk_create(
            [Organizer(**values, synced_at=now) for values in batch],
            update_conflicts=True,
            unique_fields=["email"],
            update_fields=[name for name in _ORGANIZER_FIELDS if name != "email"] + ["synced_at"],
        )
    gone = [row["id"] for row in cached if row["id"] not in seen and row["deleted_at"] is None]
    for ids in _chunks(gone):
        Organizer.objects.filter(id__in=ids).update(deleted_at=now)
    return len(new), len(changed) + len(gone)


def _link_orphan_meetings() -> int:
    """Link meetings and instances whose organizer is now cached (by ``organizer_key``)."""
    linked = 0
    moving = MeetingInstance.objects.filter(
        Q(organizer__isnull=True, organizer_key__in=Organizer.objects.values("organizer_key"))
        | Q(group__isnull=True, organizer__group__isnull=False)
    )
    with transaction.atomic(), rollups_kept(instance_ids=moving.values_list("pk", flat=True)):
        for model in (MeetingInstance, Meeting):
            owner = Organizer.objects.filter(organizer_key=OuterRef("organizer_key"))
            orphans = model.objects.filter(
                organizer__isnull=True, organizer_key__isnull=False
            ).filter(organizer_key__in=Organizer.objects.values("organizer_key"))
            linked += orphans.update(organizer_id=Subquery(owner.values("id")[:1]))
        owner_group = Organizer.objects.filter(pk=OuterRef("organizer_id"), group__isnull=False)
        linked += MeetingInstance.objects.filter(
            group__isnull=True, organizer__group__isnull=False
        ).update(group_id=Subquery(owner_group.values("group_id")[:1]))
    return linked
