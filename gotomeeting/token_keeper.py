"""The account's current token, and its refresh: once, under a lock, stored afterwards."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from .auth import DEFAULT_TIMEOUT, OAuthConfig, refresh_access_token
from .errors import Unauthorized

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 60.0

Token = dict[str, Any]


class TokenKeeper:
    """Holds the token and renews it before it expires or when the API refuses it.

    A refresh runs inside ``refresh_lock()`` (the portal passes a per-account lock, because
    GoTo may rotate refresh tokens) and first re-reads the stored token with ``token_loader``:
    when another process already refreshed, that token is used and no refresh is made.
    """

    def __init__(
        self,
        *,
        oauth: OAuthConfig,
        token: Token,
        token_updater: Callable[[Token], None] | None = None,
        token_loader: Callable[[], Token | None] | None = None,
        refresh_lock: Callable[[], AbstractContextManager[Any]] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
    ):
        if not token or not token.get("access_token"):
            raise ValueError("token must be a dict with an access_token")
        self._oauth = oauth
        self._token = dict(token)
        self._token_updater = token_updater
        self._token_loader = token_loader
        self._local_lock = threading.Lock()
        self._refresh_lock = refresh_lock or (lambda: self._local_lock)
        self._timeout = timeout
        self._clock = clock
        self.refreshes_made = 0

    @property
    def token(self) -> Token:
        """Return a copy of the current token dict."""
        return dict(self._token)

    @property
    def access_token(self) -> str:
        """Return the current access token."""
        return self._token["access_token"]

    def is_expiring(self, token: Token | None = None) -> bool:
        """Say whether the token expires within the margin (False when its expiry is unknown)."""
        expires_at = _expires_at(self._token if token is None else token)
        if expires_at is None:
            return False
        return expires_at - REFRESH_MARGIN_SECONDS <= self._clock()

    def refresh_if_expiring(self) -> None:
        """Refresh ahead of time when the token is about to expire."""
        current = self._token  # read once: another thread may replace it meanwhile
        if self.is_expiring(current):
            logger.info("Access token expires soon: refreshing it ahead of time.")
            self.refresh(stale_access_token=current["access_token"])

    def refresh(self, *, stale_access_token: str) -> Token:
        """Replace ``stale_access_token`` with a fresh one; Unauthorized when that is impossible."""
        with self._refresh_lock():
            if self._is_usable_replacement(self._token, stale_access_token):
                return self.token  # another thread of this process refreshed meanwhile
            stored = self._load_stored_token()
            if stored is not None and self._is_usable_replacement(stored, stale_access_token):
                logger.info("Another worker already refreshed the token: using the stored one.")
                self._token = stored
                return self.token
            current = stored if stored is not None else self._token
            refresh_token = current.get("refresh_token")
            if not refresh_token:
                raise Unauthorized(
                    None, "NoRefreshToken", "The access token was refused and cannot be renewed."
                )
            fresh = refresh_access_token(self._oauth, refresh_token, timeout=self._timeout)
            self.refreshes_made += 1
            self._token = fresh
            if self._token_updater is not None:
                self._token_updater(self.token)
            return self.token

    def _load_stored_token(self) -> Token | None:
        if self._token_loader is None:
            return None
        stored = self._token_loader()
        if not stored or not stored.get("access_token"):
            return None
        return dict(stored)

    def _is_usable_replacement(self, stored: Token, stale_access_token: str) -> bool:
        return stored["access_token"] != stale_access_token and not self.is_expiring(stored)


def _expires_at(token: Token) -> float | None:
    value = token.get("expires_at")
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        logger.warning("Ignoring an unreadable expires_at in the stored token.")
        return None
