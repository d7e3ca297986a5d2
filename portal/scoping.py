"""What a user may see, in one place: every selector (organizers, meetings, dashboards,
exports) asks here.

- Admin (with portal access): everything (:func:`visible_group_ids` is None).
- Manager: the groups they are scoped to and all their sub-groups (``Group.parent``); a
  Manager with no group yet sees nothing (their pages say an Admin has to assign groups).
- Organizer: no group; their own meetings only (by ``user.organizer_key``).
- Anyone else (anonymous, no portal access, a role the portal does not know): nothing.

Access fails closed: a scope the portal does not know is an empty set, never "everything".

The group ids are read once per user object (a request's user lives as long as the request;
the dashboard asks five times) and kept with the role and access they were read for; a change
of the user's groups through that object (``user.managed_groups.add(…)``) drops them
(:func:`forget_scope`, connected in :mod:`portal.apps`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from meetings.models import Meeting, MeetingInstance
from organizers.models import Group, Organizer

_CACHE_ATTRIBUTE = "_portal_visible_group_ids"


def group_descendant_ids(root_ids: set[int]) -> set[int]:
    """``root_ids`` and the ids of every group below them (children, grandchildren, …)."""
    parent_of = dict(Group.objects.values_list("id", "parent_id"))
    children: dict[int, list[int]] = {}
    for group_id, parent_id in parent_of.items():
        if parent_id is not None:
            children.setdefault(parent_id, []).append(group_id)
    seen: set[int] = set()
    stack = [gid for gid in root_ids if gid in parent_of]
    while stack:  # iterative walk; "seen" also stops a malformed cycle
        gid = stack.pop()
        if gid in seen:
            continue
        seen.add(gid)
        stack.extend(children.get(gid, ()))
    return seen


def _has_access(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "portal_access", False))


def _read_group_ids(user) -> set[int] | None:
    if not _has_access(user):
        return set()
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER:
        managed = set(user.managed_groups.values_list("id", flat=True))
        return group_descendant_ids(managed) if managed else set()
    return set()


def visible_group_ids(user) -> set[int] | None:
    """The ids of the groups ``user`` may see, or None for "all groups" (Admins only)."""
    if not _has_access(user):
        return set()
    stamp = (user.role, user.portal_access)
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ids = _read_group_ids(user)
    setattr(user, _CACHE_ATTRIBUTE, (stamp, ids))
    return ids


def forget_scope(sender, instance, action: str, **kwargs) -> None:
    """``m2m_changed`` of ``User.managed_groups``: the user's kept group ids are stale."""
    if action.startswith("post_") and hasattr(instance, _CACHE_ATTRIBUTE):
        delattr(instance, _CACHE_ATTRIBUTE)


def is_admin(user) -> bool:
    return _has_access(user) and user.role == Role.ADMIN


def visible_groups(user) -> QuerySet[Group]:
    """The groups ``user`` may see, by name."""
    ids = visible_group_ids(user)
    qs = Group.objects.order_by("name")
    return qs if ids is None else qs.filter(id__in=ids)


def visible_organizers(user) -> QuerySet[Organizer]:
    """The cached organizers (deleted ones included) in the groups ``user`` may see (an
    organizer in no group: Admins only), by name."""
    ids = visible_group_ids(user)
    qs = Organizer.objects.select_related("group").order_by("last_name", "first_name", "email")
    return qs if ids is None else qs.filter(group_id__in=ids)


def own_organizer_q(user) -> Q:
    """Rows of the user's own organizer: by the row's own copy of the organizer key (set even
    before the organizer is cached) or by the linked cached organizer."""
    if not _has_access(user) or user.organizer_key is None:
        return Q(pk__in=[])
    return Q(organizer_key=user.organizer_key) | Q(organizer__organizer_key=user.organizer_key)


def scoped_instances(user, *, include_own: bool = False) -> QuerySet[MeetingInstance]:
    """The meeting instances ``user`` may see: Admins all, Managers by the meeting's group
    (and, with ``include_own``, their own), Organizers their own, anyone else none."""
    qs = MeetingInstance.objects.all()
    if not _has_access(user):
        return qs.none()
    if user.role in (Role.ADMIN, Role.MANAGER):
        ids = visible_group_ids(user)
        if ids is None:
            return qs
        scope = Q(group_id__in=ids)
        return qs.filter(scope | own_organizer_q(user) if include_own else scope)
    return qs.filter(own_organizer_q(user))


def scoped_live_meetings(user) -> QuerySet[Meeting]:
    """Meetings in the groups ``user`` may see (by the organizer's current group)."""
    qs = Meeting.objects.all()
    if not _has_access(user):
        return qs.none()
    if user.role in (Role.ADMIN, Role.MANAGER):
        ids = visible_group_ids(user)
        return qs if ids is None else qs.filter(organizer__group_id__in=ids)
    return qs.filter(own_organizer_q(user))


def owned_meetings(user) -> QuerySet[Meeting]:
    """Meetings ``user`` may act on: their own, or any for an Admin."""
    qs = Meeting.objects.select_related("organizer", "organizer__group")
    return qs if is_admin(user) else qs.filter(own_organizer_q(user))
