"""Reads of the reporting API: tokens, and the querysets the API lists.

The API shows exactly what the portal's pages show the same user: every list starts from the
portal's own scoping (:func:`meetings.selectors.history_instances`, which applies
:func:`portal.scoping.scoped_instances` and the dashboard's filters, and
:func:`organizers.selectors.organizers_with_last_meeting`, which applies
:func:`portal.scoping.visible_group_ids`); nothing here decides a scope of its own.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from meetings.models import Attendee, MeetingInstance
from meetings.selectors import HistoryFilter, history_instances
from organizers.models import Group, Organizer
from organizers.selectors import inactive_since, organizers_with_last_meeting
from portal.scoping import group_descendant_ids

from .models import ApiToken, token_hash

INSTANCE_COLUMNS = (
    "id",
    "instance_key",
    "meeting_id",
    "subject",
    "start_time",
    "end_time",
    "duration_minutes",
    "num_attendees",
    "attendee_minutes",
    "meeting_type",
    "organizer_id",
    "organizer_key",
    "organizer__email",
    "group_id",
    "group__name",
)
ATTENDEE_COLUMNS = (
    "id",
    "instance_id",
    "instance__instance_key",
    "instance__subject",
    "instance__start_time",
    "name",
    "email",
    "join_time",
    "leave_time",
    "duration_minutes",
)


def token_for_secret(secret: str) -> ApiToken | None:
    """The token whose secret is ``secret`` (found by its hash), with its owner; None if none."""
    return ApiToken.objects.select_related("owner").filter(secret_hash=token_hash(secret)).first()


def tokens_of(user) -> QuerySet[ApiToken]:
    """``user``'s own tokens, newest first."""
    return ApiToken.objects.filter(owner=user).select_related("revoked_by")


def tokens_of_everyone() -> QuerySet[ApiToken]:
    """Every user's tokens (for Admins), the usable ones first."""
    now = timezone.now()
    return (
        ApiToken.objects.select_related("owner", "revoked_by")
        .filter(revoked_at__isnull=True, expires_at__gt=now)
        .order_by("owner__email", "-created_at")
    )


def token_for_revoking(*, user, pk: int) -> ApiToken | None:
    """Token ``pk`` if ``user`` may revoke it (their own; an Admin, anyone's), else None."""
    qs = ApiToken.objects.select_related("owner")
    if not getattr(user, "is_portal_admin", False):
        qs = qs.filter(owner=user)
    return qs.filter(pk=pk).first()


def api_instances(*, user, filters: HistoryFilter) -> QuerySet[MeetingInstance]:
    """The meeting instances of the dashboard's filters, within ``user``'s scope."""
    # Only the columns the API writes: a page of 100 with every column of the three tables
    # took 24 ms in-process, 16 ms this way (a loaded 2-core machine; bench/).
    return (
        history_instances(user=user, filters=filters)
        .select_related("organizer", "group")
        .only(*INSTANCE_COLUMNS)
    )


def api_attendees(*, user, filters: HistoryFilter) -> QuerySet[Attendee]:
    """Attendee stays in the meeting instances of :func:`api_instances`."""
    instances = history_instances(user=user, filters=filters).order_by().values("pk")
    return (
        Attendee.objects.filter(instance__in=instances)
        .select_related("instance")
        .only(*ATTENDEE_COLUMNS)
    )


def api_organizers(
    *, user, group: Group | None = None, inactive_days: int | None = None
) -> QuerySet[Organizer]:
    """The organizers ``user`` may see (as the organizers pages), with their last meeting;
    optionally within ``group`` (and its sub-groups) and without a meeting for ``inactive_days``.
    """
    qs = organizers_with_last_meeting(user)
    if group is not None:
        qs = qs.filter(group_id__in=group_descendant_ids({group.pk}))
    if inactive_days is not None:
        qs = inactive_since(qs, inactive_days)
    return qs
