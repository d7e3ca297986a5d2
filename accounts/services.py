"""Writes of the accounts area: sign-in from GoTo, roles and portal access, sessions.

Every change records an audit entry in the same transaction. None of these call the GoTo API:
the admin probe of sign-in happens in the provider (accounts.goto.views), before this runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from organizers.models import Group
from reporting_api.services import api_tokens_revoke_all

from .audit import audit_changes, audit_record
from .models import AuditAction, AuditOutcome, Role, User
from .tokens import store_token

logger = logging.getLogger(__name__)


class AccessChangeRefused(Exception):
    """A role or access change the portal refuses; ``str(exc)`` is the message to show."""


class LastAdminError(AccessChangeRefused):
    """The change would leave the portal without any Admin who can sign in."""


class SignInRefused(Exception):
    """A GoTo sign-in the portal refuses; ``str(exc)`` is the message to show."""


@dataclass(frozen=True)
class GoToIdentity:
    """Who GoTo says signed in: read from the token answer, plus the admin probe's result."""

    email: str
    organizer_key: int | None
    account_key: int | None
    first_name: str
    last_name: str
    is_account_admin: bool

    @classmethod
    def from_token_answer(cls, answer: dict, *, is_account_admin: bool) -> GoToIdentity:
        return cls(
            email=(answer.get("email") or answer.get("principal") or "").strip(),
            organizer_key=_int_or_none(answer.get("organizer_key")),
            account_key=_int_or_none(answer.get("account_key")),
            first_name=(answer.get("firstName") or "")[:150],
            last_name=(answer.get("lastName") or "")[:150],
            is_account_admin=bool(is_account_admin),
        )


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- Sign-in ----------------------------------------------------------------------------------


def portal_account_key() -> int | None:
    """The GoTo account this portal serves: ``settings.GOTO_ACCOUNT_KEY`` if set, else the
    account of the Admins who signed in through GoTo before (None until the first one)."""
    configured = getattr(settings, "GOTO_ACCOUNT_KEY", None)
    if configured:
        return int(configured)
    return (
        User.objects.filter(role=Role.ADMIN, account_key__isnull=False)
        .order_by("pk")
        .values_list("account_key", flat=True)
        .first()
    )


def goto_sign_in_check(*, identity: GoToIdentity) -> None:
    """Refuse a sign-in from another GoTo account than the portal's, or without an email."""
    if not identity.email:
        raise SignInRefused("GoTo did not tell us your email address, so you cannot sign in.")
    served = portal_account_key()
    if served is not None and identity.account_key is not None and identity.account_key != served:
        raise SignInRefused(
            "Your GoTo user belongs to another GoTo account than the one this portal manages."
        )


IDENTITY_MISMATCH_MESSAGE = (
    "This GoTo sign-in is not the GoTo user this portal user belongs to, so it was refused: "
    "each portal user is exactly one GoTo user. Sign in with your own GoTo user, or ask an "
    "Admin if your GoTo user changed."
)
CONNECT_REFUSED_MESSAGE = (
    "Linking another GoTo sign-in to your portal user is turned off: each portal user is "
    "exactly one GoTo user. Sign out, then sign in with the other GoTo user."
)


def goto_identity_check(*, user: User, identity: GoToIdentity) -> None:
    """Refuse ``identity`` for ``user`` when the user is on record as another GoTo user (another
    organizer key): one portal user is exactly one GoTo identity, and its token is that
    identity's token."""
    if (
        user.organizer_key is not None
        and identity.organizer_key is not None
        and user.organizer_key != identity.organizer_key
    ):
        raise SignInRefused(IDENTITY_MISMATCH_MESSAGE)


def goto_connect_refuse(*, user: User | None, identity: GoToIdentity) -> None:
    """Record a refused attempt to link ``identity`` to the signed-in ``user``, then refuse it."""
    audit_record(
        actor=user,
        action=AuditAction.USER_CONNECT,
        target=user,
        target_label=getattr(user, "email", "") or "",
        outcome=AuditOutcome.FAILURE,
        detail=f"Refused linking the GoTo user {identity.email} (organizer key "
        f"{identity.organizer_key}): one portal user is one GoTo user",
    )
    raise SignInRefused(CONNECT_REFUSED_MESSAGE)


def user_find_for_goto_identity(*, identity: GoToIdentity) -> User | None:
    """The existing portal user this GoTo identity is (same organizer key, else same email)."""
    if identity.organizer_key is not None:
        user = User.objects.filter(organizer_key=identity.organizer_key).first()
        if user is not None:
            return user
    if identity.email:
        return User.objects.filter(email__iexact=identity.email).order_by("pk").first()
    return None


def user_goto_sign_in(
    *, user: User, identity: GoToIdentity, token: dict, first_login: bool
) -> User:
    """Bring ``user`` up to date with what GoTo said at sign-in, and store their token.

    On the first sign-in (the row was just created) a GoTo account admin becomes Admin and
    anyone else Organizer. Later sign-ins never demote a role granted in the portal, but a GoTo
    account admin who is not (or no longer) Admin here is promoted. Refuses (SignInRefused) an
    identity other than the one on record, before anything is written.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        goto_identity_check(user=user, identity=identity)
        old_role = user.role
        if identity.is_account_admin:
            new_role = Role.ADMIN
        elif first_login:
            new_role = Role.ORGANIZER
        else:
            new_role = old_role
        if identity.organizer_key is not None:
            # A stale row holding the same key (e.g. an old email) lets go of it.
            User.objects.filter(organizer_key=identity.organizer_key).exclude(pk=user.pk).update(
                organizer_key=None
            )
            user.organizer_key = identity.organizer_key
        if identity.account_key is not None:
            user.account_key = identity.account_key
        if identity.first_name:
            user.first_name = identity.first_name
        if identity.last_name:
            user.last_name = identity.last_name
        if not user.email:
            user.email = identity.email
        user.role = new_role
        user.save(
            update_fields=[
                "organizer_key",
                "account_key",
                "first_name",
                "last_name",
                "email",
                "role",
            ]
        )
        store_token(user, token)
        if new_role != old_role and not first_login:
            audit_record(
                actor=None,
                action=AuditAction.ROLE_CHANGE,
                target=user,
                target_label=user.email,
                detail=f"{old_role} → {new_role}: GoTo says this user is an account admin",
                changes=audit_changes({"role": old_role}, {"role": new_role}),
            )
        audit_record(
            actor=user,
            action=AuditAction.USER_SIGN_IN,
            target=user,
            target_label=user.email,
            detail=(
                f"First sign-in through GoTo as {new_role}"
                if first_login
                else f"Signed in through GoTo as {new_role}"
            ),
        )
    return user


# --- Roles and portal access -------------------------------------------------------------------


def _signs_in_as_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.portal_access and user.is_active


def user_access_update(
    *,
    user: User,
    role: str,
    portal_access: bool,
    managed_groups: Iterable[Group] = (),
    acting_user: User | None,
) -> User:
    """Set ``user``'s role, portal access and (Managers only) scoped groups.

    Refuses (LastAdminError) to leave the portal without an Admin who can sign in. Revoking
    access ends all of the user's sessions at once. Each change is audit-logged:
    ``role.change``, ``role.scope``, ``access.revoke``, ``access.grant``.
    """
    if role not in Role.values:
        raise AccessChangeRefused(f"Unknown role {role!r}.")
    groups = list(managed_groups) if role == Role.MANAGER else []
    target_label = user.email or user.username
    try:
        with transaction.atomic():
            # Lock every Admin row, so two admins demoting each other cannot both succeed.
            admins = list(User.objects.select_for_update().filter(role=Role.ADMIN).order_by("pk"))
            user = User.objects.select_for_update().get(pk=user.pk)
            old_role, old_access = user.role, user.portal_access
            old_group_ids = set(user.managed_groups.values_list("pk", flat=True))
            old_group_names = sorted(user.managed_groups.values_list("name", flat=True))
            new_group_ids = {g.pk for g in groups}

            stays_admin = role == Role.ADMIN and portal_access and user.is_active
            if _signs_in_as_admin(user) and not stays_admin:
                others = [a for a in admins if a.pk != user.pk and _signs_in_as_admin(a)]
                if not others:
                    who = "yourself" if acting_user and acting_user.pk == user.pk else user.email
                    raise LastAdminError(
                        f"You cannot remove Admin from {who}: this is the last Admin of the "
                        "portal. Make someone else Admin first."
                    )

            user.role = role
            user.portal_access = portal_access
            user.save(update_fields=["role", "portal_access"])
            if old_group_ids != new_group_ids:
                user.managed_groups.set(groups)

            if old_role != role:
                audit_record(
                    actor=acting_user,
                    action=AuditAction.ROLE_CHANGE,
                    target=user,
                    target_label=target_label,
                    detail=f"{old_role} → {role}",
                    changes=audit_changes({"role": old_role}, {"role": role}),
                )
            if old_group_ids != new_group_ids:
                names = ", ".join(sorted(g.name for g in groups)) or (
                    "no group (sees nothing until an Admin assigns one)"
                    if role == Role.MANAGER
                    else "none (not a Manager)"
                )
                audit_record(
                    actor=acting_user,
                    action=AuditAction.ROLE_SCOPE,
                    target=user,
                    target_label=target_label,
                    detail=f"Scoped to: {names}",
                    changes=audit_changes(
                        {"groups": old_group_names}, {"groups": sorted(g.name for g in groups)}
                    ),
                )
            if old_access and not portal_access:
                ended = user_sessions_end(user=user)
                tokens = api_tokens_revoke_all(
                    owner=user, acting_user=acting_user, reason="portal access revoked"
                )
                audit_record(
                    actor=acting_user,
                    action=AuditAction.ACCESS_REVOKE,
                    target=user,
                    target_label=target_label,
                    detail=(
                        f"Portal access revoked; {ended} session(s) ended, "
                        f"{tokens} API token(s) revoked"
                    ),
                    changes=audit_changes({"portal_access": True}, {"portal_access": False}),
                )
            elif portal_access and not old_access:
                audit_record(
                    actor=acting_user,
                    action=AuditAction.ACCESS_GRANT,
                    target=user,
                    target_label=target_label,
                    detail="Portal access granted",
                    changes=audit_changes({"portal_access": False}, {"portal_access": True}),
                )
    except AccessChangeRefused as exc:
        audit_record(
            actor=acting_user,
            action=AuditAction.ACCESS_REVOKE if not portal_access else AuditAction.ROLE_CHANGE,
            target=user,
            target_label=target_label,
            outcome=AuditOutcome.FAILURE,
            detail=str(exc),
        )
        raise
    return user


def user_ensure(*, email: str, acting_user: User | None = None) -> tuple[User, bool]:
    """The portal user with ``email``, created (no password: GoTo signs them in) if missing."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is not None:
            return user, False
        user = User(username=email, email=email, role=Role.ORGANIZER)
        user.set_unusable_password()
        user.save()
        audit_record(
            actor=acting_user,
            action=AuditAction.USER_CREATE,
            target=user,
            target_label=email,
            detail="Created ahead of the first GoTo sign-in",
        )
    return user, True


# --- Sessions --------------------------------------------------------------------------------


def user_sessions_end(*, user: User) -> int:
    """Delete every stored session of ``user`` (database sessions); the number deleted.

    With another session engine nothing is found here, and SessionTimeoutMiddleware still signs
    the user out on their next request, because it checks ``portal_access`` every time.
    """
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    user_id = str(user.pk)
    doomed: list[str] = []
    live = Session.objects.filter(expire_date__gt=timezone.now()).only(
        "session_key", "session_data"
    )
    for session in live.iterator(chunk_size=500):
        if store.decode(session.session_data).get("_auth_user_id") == user_id:
            doomed.append(session.session_key)
    if settings.SESSION_ENGINE.endswith("cached_db"):
        from django.contrib.sessions.backends.cached_db import SessionStore as CachedStore

        for key in doomed:
            CachedStore(session_key=key).delete()
    else:
        Session.objects.filter(session_key__in=doomed).delete()
    if doomed:
        logger.info("Ended %d session(s) of user %s", len(doomed), user.pk)
    return len(doomed)


def service_connection_set(*, admin: User, acting_user: User) -> None:
    """Make ``admin``'s stored GoTo token the one background work (the sync) uses."""
    from .models import ServiceConnection

    if admin.role != Role.ADMIN or not admin.portal_access:
        raise AccessChangeRefused(f"{admin.email} is not an Admin with portal access.")
    with transaction.atomic():
        connection = ServiceConnection.load()
        previous = connection.admin
        connection.admin = admin
        connection.last_error = ""
        connection.save(update_fields=["admin", "last_error", "updated_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.SERVICE_CONNECTION_CHANGE,
            target=admin,
            target_type="user",
            detail=f"From {previous.email if previous else 'the first Admin with a token'} "
            f"to {admin.email}.",
            changes=audit_changes(
                {"admin": previous.email if previous else None}, {"admin": admin.email}
            ),
        )
