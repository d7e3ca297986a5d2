"""Saving and loading a user's GoTo tokens (encrypted at rest by StoredToken's fields)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction

from .models import StoredToken, User


class TokenRevoked(Exception):
    """The user has no usable GoTo token: they must sign in again."""


def _expires_at(token: dict) -> datetime:
    if token.get("expires_at"):
        return datetime.fromtimestamp(float(token["expires_at"]), tz=UTC)
    return datetime.now(tz=UTC) + timedelta(seconds=int(token.get("expires_in") or 3600))


def store_token(user: User, token: dict) -> StoredToken:
    """Save ``token`` (an OAuth token answer) as the user's token, tied to the GoTo identity the
    user is on record as; keep the old refresh token when the answer has none."""
    with transaction.atomic():
        existing = StoredToken.objects.select_for_update().filter(user=user).first()
        refresh = token.get("refresh_token") or (existing.refresh_token if existing else "")
        stored, _ = StoredToken.objects.update_or_create(
            user=user,
            defaults={
                "access_token": token["access_token"],
                "refresh_token": refresh or "",
                "organizer_key": user.organizer_key,
                "expires_at": _expires_at(token),
            },
        )
    return stored


def load_token(user: User) -> dict | None:
    """The user's token as requests-oauthlib wants it, or None when there is none, or when it
    was issued to another GoTo identity than the one the user is on record as (the user must
    sign in again)."""
    stored = StoredToken.objects.filter(user=user).first()
    if stored is None or stored.organizer_key != user.organizer_key:
        return None
    expires_at = stored.expires_at.timestamp()
    return {
        "access_token": stored.access_token,
        "refresh_token": stored.refresh_token,
        "token_type": "Bearer",
        "expires_at": expires_at,
        "expires_in": max(0, int(expires_at - datetime.now(tz=UTC).timestamp())),
    }


def forget_token(user: User) -> None:
    """Drop the user's token (on sign-out after revocation)."""
    StoredToken.objects.filter(user=user).delete()
