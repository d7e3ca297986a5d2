"""OAuth bookkeeping: authorization codes, access tokens and refresh tokens.

Access and refresh tokens are persisted with the state (section ``auth``) so a
restarted sandbox keeps its users logged in; codes live in memory for 10 minutes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

CODE_TTL = 600
REFRESH_TTL = 30 * 86_400


@dataclass(frozen=True)
class AuthCode:
    """What an authorization code stands for."""

    organizer_key: int
    client_id: str
    redirect_uri: str
    code_challenge: str | None
    expires_at: float


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier``: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class TokenStore:
    """Issues, checks, rotates and expires tokens. Callers hold the store lock."""

    def __init__(self, saved: dict | None = None) -> None:
        saved = saved or {}
        self.access: dict[str, dict] = dict(saved.get("access", {}))
        self.refresh: dict[str, dict] = dict(saved.get("refresh", {}))
        self.serial: int = int(saved.get("serial", 0))
        self.codes: dict[str, AuthCode] = {}
        self.expired_up_to: int | None = None  # tokens with serial <= this count as expired
        self.dirty = False

    def section(self) -> dict:
        """The JSON value persisted as the ``auth`` section."""
        return {"access": self.access, "refresh": self.refresh, "serial": self.serial}

    def prune(self, now: float) -> None:
        """Forget tokens past their expiry."""
        for table in (self.access, self.refresh):
            for token in [t for t, rec in table.items() if rec["expires_at"] < now]:
                del table[token]
        for code in [c for c, rec in self.codes.items() if rec.expires_at < now]:
            del self.codes[code]

    # -- codes ------------------------------------------------------------------------------
    def issue_code(
        self,
        *,
        organizer_key: int,
        client_id: str,
        redirect_uri: str,
        code_challenge: str | None,
        now: float,
    ) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = AuthCode(
            organizer_key, client_id, redirect_uri, code_challenge, now + CODE_TTL
        )
        return code

    def redeem_code(self, code: str, now: float) -> AuthCode | None:
        """The code's grant, once: any attempt uses the code up."""
        grant = self.codes.pop(code, None)
        if grant is None or grant.expires_at < now:
            return None
        return grant

    # -- tokens -----------------------------------------------------------------------------
    def mint(self, organizer_key: int, ttl: int, now: float) -> tuple[str, str]:
        """A new access token (valid ``ttl`` seconds) and a new refresh token."""
        self.serial += 1
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32)
        self.access[access] = {
            "organizerKey": organizer_key,
            "expires_at": now + ttl,
            "serial": self.serial,
        }
        self.refresh[refresh] = {"organizerKey": organizer_key, "expires_at": now + REFRESH_TTL}
        self.dirty = True
        return access, refresh

    def organizer_of_access(self, token: str, now: float) -> int | None:
        """The organizer key behind a valid access token, or ``None``."""
        record = self.access.get(token)
        if record is None or record["expires_at"] <= now:
            return None
        if self.expired_up_to is not None and record["serial"] <= self.expired_up_to:
            return None
        return record["organizerKey"]

    def use_refresh(self, token: str, now: float) -> int | None:
        """Spend a refresh token (rotation: it is invalid afterwards); its organizer key."""
        record = self.refresh.pop(token, None)
        if record is None:
            return None
        self.dirty = True
        if record["expires_at"] <= now:
            return None
        return record["organizerKey"]

    def expire_existing(self) -> None:
        """Every access token issued so far is treated as expired from now on."""
        self.expired_up_to = self.serial

    def unexpire(self) -> None:
        """Stop treating earlier tokens as expired (their own expiry still applies)."""
        self.expired_up_to = None
