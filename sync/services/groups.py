"""How a group is asked: one group-scoped call, or one call per organizer for a big group.

GoTo answers group-scoped calls only for groups of at most 50 organizers; the history,
attendees, scheduled and live passes all fall back to per-organizer calls above that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gotomeeting.errors import NotFound
from organizers.models import Group, Organizer

logger = logging.getLogger(__name__)

# GoTo answers group-scoped calls only for groups of at most this many organizers.
GROUP_SCOPED_MAX_ORGANIZERS = 50


def _uses_per_organizer_calls(group: Group) -> bool:
    if group.num_organizers > GROUP_SCOPED_MAX_ORGANIZERS:
        return True
    return (
        Organizer.objects.filter(group=group, deleted_at__isnull=True).count()
        > GROUP_SCOPED_MAX_ORGANIZERS
    )


def _group_organizer_keys(group: Group) -> list[int]:
    return list(
        Organizer.objects.filter(
            group=group, organizer_key__isnull=False, deleted_at__isnull=True
        ).values_list("organizer_key", flat=True)
    )


def _per_organizer(
    group: Group, call: Callable[[int], list], *, what: str
) -> tuple[list, list[int]]:
    """Call ``call(organizer_key)`` for each organizer of ``group``; NotFound = gone, skip."""
    items: list = []
    covered: list[int] = []
    for organizer_key in _group_organizer_keys(group):
        try:
            items += call(organizer_key)
        except NotFound:
            logger.info("%s: organizer %s not found at GoTo, skipped", what, organizer_key)
        covered.append(organizer_key)
    return items, covered
