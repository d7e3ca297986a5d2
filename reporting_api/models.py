"""Personal access tokens of the reporting API.

A token is ``gtp_`` + 40 random URL-safe characters (``secrets.token_urlsafe(30)``: 240 bits).
The database keeps only its SHA-256 (a fast hash is right here: the secret is random, not a
password a person chose, so there is nothing to guess and no need for a slow KDF) and the first
12 characters, so the owner can tell their tokens apart and a leaked token found in a log can be
matched to its row. The secret is shown once, on the page that creates it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The visible start of the token ("gtp_" and 8 characters), never enough to use it.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)  # SHA-256, hex
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


def token_hash(secret: str) -> str:
    """The SHA-256 (hex) the database keeps instead of ``secret``."""
    return hashlib.sha256(secret.encode()).hexdigest()
