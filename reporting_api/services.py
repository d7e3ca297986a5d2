"""Writes of the reporting API: creating and revoking personal access tokens.

Each change and its audit entry (``api_token.create`` / ``api_token.revoke``) are written in one
transaction, so a token never exists without the entry that says who made it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditOutcome

from .models import ApiToken, token_hash

TOKEN_PREFIX = "gtp_"
VISIBLE_CHARS = 12  # "gtp_" and 8 characters of the secret
MAX_ACTIVE_TOKENS = 10


class TokenError(ValueError):
    """A token that may not be created or revoked; the message says why, for the user."""


def _new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def _label(token: ApiToken) -> str:
    return f"{token.name} ({token.prefix}…) of {token.owner.email or token.owner.username}"


def api_token_create(
    *, owner, name: str, expires_at: datetime, acting_user
) -> tuple[ApiToken, str]:
    """Create a token for ``owner``; returns it and its secret, which nothing keeps."""
    now = timezone.now()
    if expires_at <= now:
        raise TokenError("The expiry must be in the future.")
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS + 1):
        raise TokenError(f"A token may live at most {settings.API_TOKEN_MAX_DAYS} days.")
    try:
        with transaction.atomic():
            # The owner's row is the lock: two creations at once count one after the other.
            get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
            active = ApiToken.objects.filter(
                owner=owner, revoked_at__isnull=True, expires_at__gt=now
            ).count()
            if active >= MAX_ACTIVE_TOKENS:
                raise TokenError(
                    f"You already have {MAX_ACTIVE_TOKENS} active tokens: revoke one you no "
                    "longer use first."
                )
            token, secret = _create(owner=owner, name=name, expires_at=expires_at, now=now)
            audit_record(
                actor=acting_user,
                action=AuditAction.API_TOKEN_CREATE,
                target=token,
                target_label=_label(token),
                detail=f"expires {expires_at:%Y-%m-%d %H:%M} UTC",
            )
    except TokenError as exc:
        audit_record(
            actor=acting_user,
            action=AuditAction.API_TOKEN_CREATE,
            target_type="apitoken",
            target_label=f"{name} of {owner.email or owner.username}",
            outcome=AuditOutcome.FAILURE,
            detail=str(exc),
        )
        raise
    return token, secret


def _create(*, owner, name: str, expires_at: datetime, now: datetime) -> tuple[ApiToken, str]:
    secret = _new_secret()
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        prefix=secret[:VISIBLE_CHARS],
        secret_hash=token_hash(secret),
        created_at=now,
        expires_at=expires_at,
    )
    return token, secret


def _revoke(token: ApiToken, *, acting_user, detail: str) -> ApiToken | None:
    """Revoke ``token`` (locked for the change) and audit it; None, with nothing written,
    when it was revoked already."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("owner").get(pk=token.pk)
        if token.revoked_at is not None:
            return None
        token.revoked_at = timezone.now()
        token.revoked_by = acting_user
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=acting_user,
            action=AuditAction.API_TOKEN_REVOKE,
            target=token,
            target_label=_label(token),
            detail=detail,
        )
    return token


def api_token_revoke(*, token: ApiToken, acting_user) -> ApiToken:
    """Revoke ``token`` at once (the next request with it gets 401). Revoking a revoked token
    changes nothing (the refusal is audited as a failure)."""
    detail = "" if acting_user.pk == token.owner_id else "revoked by an Admin"
    revoked = _revoke(token, acting_user=acting_user, detail=detail)
    if revoked is None:
        audit_record(
            actor=acting_user,
            action=AuditAction.API_TOKEN_REVOKE,
            target=token,
            target_label=_label(token),
            outcome=AuditOutcome.FAILURE,
            detail="already revoked",
        )
        raise TokenError("This token was already revoked.")
    return revoked


def api_tokens_revoke_all(*, owner, acting_user, reason: str) -> int:
    """Revoke every active token of ``owner`` (their portal access was taken away: a token must
    not come back to life when access is granted again), each audit-logged; how many."""
    tokens = ApiToken.objects.filter(owner=owner, revoked_at__isnull=True).order_by("pk")
    return sum(
        _revoke(token, acting_user=acting_user, detail=reason) is not None for token in tokens
    )


def api_token_touch(*, token: ApiToken, every_seconds: int = 60) -> None:
    """Record that ``token`` was used: at most one write a minute per token, so a BI refresh of
    a thousand pages does not write a thousand rows."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < timedelta(
        seconds=every_seconds
    ):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
