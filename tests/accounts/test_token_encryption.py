"""Tokens are encrypted at rest, unreadable without the key, and re-encrypted on rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts.fields import DecryptionError
from accounts.models import StoredToken
from accounts.tokens import load_token, store_token

TOKEN = {
    "access_token": "access-SECRET-123",
    "refresh_token": "refresh-SECRET-456",
    "expires_in": 3600,
}


def _raw_row(user) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM accounts_storedtoken WHERE user_id = %s",
            [user.pk],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_stored_tokens_are_not_readable_in_the_database(organizer_user):
    store_token(organizer_user, TOKEN)
    access, refresh = _raw_row(organizer_user)
    assert "access-SECRET-123" not in access
    assert "refresh-SECRET-456" not in refresh
    assert load_token(organizer_user)["access_token"] == "access-SECRET-123"


@pytest.mark.django_db
def test_wrong_key_raises_instead_of_returning_ciphertext(organizer_user, settings):
    store_token(organizer_user, TOKEN)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        StoredToken.objects.get(user=organizer_user)


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_newest_key(organizer_user, settings):
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    store_token(organizer_user, TOKEN)
    before = _raw_row(organizer_user)
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_token_keys")
    assert _raw_row(organizer_user) != before
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert load_token(organizer_user)["refresh_token"] == "refresh-SECRET-456"


@pytest.mark.django_db
def test_refresh_without_new_refresh_token_keeps_the_old_one(organizer_user):
    store_token(organizer_user, TOKEN)
    store_token(organizer_user, {"access_token": "access-2", "expires_in": "3600"})
    token = load_token(organizer_user)
    assert token["access_token"] == "access-2"
    assert token["refresh_token"] == "refresh-SECRET-456"
