"""How a group is asked: one group-scoped call, or one call per organizer for a big group.

GoTo answers group-scoped calls only for groups of at most 50 organizers; the history,
attendees, scheduled and live passes all fall back to per-organizer calls above that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gotomeeting.errors import NotFound
from organizers.models import Group, Organizer

# The rule of which groups are asked per organizer lives with the rest of what decides whom a
# pass asks (sync.activity); the services import it from here.
from ..activity import GROUP_SCOPED_MAX_ORGANIZERS  # noqa: F401
from ..activity import uses_per_organizer_calls as _uses_per_organizer_calls  # noqa: F401

logger = logging.getLogger(__name__)


def _group_organizer_keys(group: Group) -> list[int]:
    return list(
        Organizer.objects.filter(
            group=group, organizer_key__isnull=False, deleted_at__isnull=True
        ).values_list("organizer_key", flat=True)
    )


def _per_organizer(
    group: Group, call: Callable[[int], list], *, what: str, only: set[int] | None = None
) -> tuple[list, list[int]]:
    """Call ``call(organizer_key)`` for each organizer of ``group`` (of them, those in ``only``
    if given); NotFound = gone, skip."""
    items: list = []
    covered: list[int] = []
    for organizer_key in _group_organizer_keys(group):
        if only is not None and organizer_key not in only:
            continue
        try:
            items += call(organizer_key)
        except NotFound:
            logger.info("%s: organizer %s not found at GoTo, skipped", what, organizer_key)
        covered.append(organizer_key)
    return items, covered
