"""A text field encrypted at rest with cryptography's MultiFernet.

Keys come from ``settings.TOKEN_ENCRYPTION_KEYS`` (newest first, separate from SECRET_KEY).
Decrypting with the wrong keys raises :class:`DecryptionError`; ciphertext is never handed back
as if it were the value.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models


class DecryptionError(Exception):
    """The stored value cannot be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"TOKEN_ENCRYPTION_KEYS holds an invalid key: {exc}") from exc


def fernet() -> MultiFernet:
    """The MultiFernet for the configured keys (the first one encrypts)."""
    return _fernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting == "TOKEN_ENCRYPTION_KEYS":
        _fernet.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "Stored secret cannot be decrypted with the configured keys."
        ) from exc


class EncryptedTextField(models.TextField):
    """Stores ``str`` values encrypted; reads them back decrypted."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
