"""OAuth 2 with GoTo: the authorize URL, code exchange, refresh and Direct Login.

Every call to the token endpoint sends the client credentials as HTTP Basic, the way GoTo
asks, and every token dict returned carries ``expires_at`` (epoch seconds).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.auth import HTTPBasicAuth

from .errors import (
    ApiError,
    NotFound,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    error_from_response,
    excerpt,
)
from .parsing import parse_int
from .secure_urls import require_secure_url

DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)
DEFAULT_EXPIRES_IN = 3600  # GoTo's documented access token lifetime, used when none is sent
_PASSWORD_GRANT_UNSUPPORTED = frozenset({"unsupported_grant_type", "unauthorized_client"})


@dataclass(frozen=True)
class OAuthConfig:
    """Where GoTo's OAuth endpoints are and who this portal is to them."""

    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    direct_login_url: str | None = None
    redirect_uri: str | None = None

    def __post_init__(self):
        require_secure_url(self.authorize_url, "authorize_url")
        require_secure_url(self.token_url, "token_url")
        if self.direct_login_url:
            require_secure_url(self.direct_login_url, "direct_login_url")

    @property
    def basic_auth(self) -> HTTPBasicAuth:
        """Return the client credentials as HTTP Basic auth."""
        return HTTPBasicAuth(self.client_id, self.client_secret)


def make_pkce_pair() -> tuple[str, str]:
    """Return a fresh PKCE ``(code_verifier, code_challenge)`` pair (S256)."""
    verifier = secrets.token_urlsafe(64)
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    """Return the S256 code challenge for a code verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    config: OAuthConfig,
    *,
    state: str,
    redirect_uri: str | None = None,
    code_challenge: str | None = None,
) -> str:
    """Return the URL to send the browser to so the user can log in and consent."""
    params = {
        "client_id": config.client_id,
        "response_type": "code",
        "redirect_uri": _redirect_uri(config, redirect_uri),
        "state": state,
    }
    if code_challenge:
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    parts = urlsplit(config.authorize_url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def exchange_code(
    config: OAuthConfig,
    *,
    code: str,
    redirect_uri: str | None = None,
    code_verifier: str | None = None,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Trade the code from the redirect for a token dict."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": _redirect_uri(config, redirect_uri),
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    return _request_token(config.token_url, form, auth=config.basic_auth, timeout=timeout)


def refresh_access_token(
    config: OAuthConfig, refresh_token: str, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT
) -> dict[str, Any]:
    """Return a new token dict for a refresh token, keeping it when the answer has none."""
    if not refresh_token:
        raise Unauthorized(None, "NoRefreshToken", "There is no refresh token to renew with.")
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    token = _request_token(config.token_url, form, auth=config.basic_auth, timeout=timeout)
    if not token.get("refresh_token"):
        token["refresh_token"] = refresh_token
    return token


def direct_login(
    config: OAuthConfig,
    *,
    username: str,
    password: str,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> dict[str, Any]:
    """Log in with a user's own credentials (password grant), for a service account.

    Tries the password grant on the token endpoint first; when that endpoint does not offer
    it and ``direct_login_url`` is configured, uses the legacy Direct Login form instead.
    """
    form = {"grant_type": "password", "username": username, "password": password}
    try:
        return _request_token(config.token_url, form, auth=config.basic_auth, timeout=timeout)
    except ApiError as error:
        if not (config.direct_login_url and _password_grant_unsupported(error)):
            raise
    legacy_form = {
        "grant_type": "password",
        "user_id": username,
        "password": password,
        "client_id": config.client_id,
    }
    return _request_token(config.direct_login_url, legacy_form, auth=None, timeout=timeout)


def token_with_expiry(token: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """Return a copy of a token answer with ``expires_in`` as an int and ``expires_at`` added."""
    token = dict(token)
    expires_in = parse_int(token.get("expires_in"))
    if expires_in is None:
        expires_in = DEFAULT_EXPIRES_IN
    token["expires_in"] = expires_in
    token["expires_at"] = (time.time() if now is None else now) + expires_in
    token.setdefault("token_type", "Bearer")
    return token


def _password_grant_unsupported(error: ApiError) -> bool:
    if isinstance(error, Unauthorized) and error.code in _PASSWORD_GRANT_UNSUPPORTED:
        return True
    return isinstance(error, NotFound) or error.status == 405


def _redirect_uri(config: OAuthConfig, redirect_uri: str | None) -> str:
    uri = redirect_uri or config.redirect_uri
    if not uri:
        raise ValueError("redirect_uri is needed: pass it or set OAuthConfig.redirect_uri")
    return uri


def _request_token(
    url: str, form: dict[str, str], *, auth: HTTPBasicAuth | None, timeout
) -> dict[str, Any]:
    require_secure_url(url, "token URL")
    try:
        response = requests.post(
            url, data=form, auth=auth, headers={"Accept": "application/json"}, timeout=timeout
        )
    except requests.RequestException as error:
        # The exception names the host and port: it stays in the traceback, not the message.
        kind = "in time" if isinstance(error, requests.exceptions.Timeout) else "(no connection)"
        raise TransportError(
            None, type(error).__name__, f"GoTo's sign-in service did not answer {kind}."
        ) from error
    return _token_from_response(response)


def _token_from_response(response: requests.Response) -> dict[str, Any]:
    if response.status_code >= 500 or response.status_code == 429:
        raise error_from_response(response.status_code, response.text, response.headers)
    body = _json_or_none(response)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message = body.get("error_description") or body["error"]
        raise Unauthorized(response.status_code, body["error"], str(message))
    if response.status_code >= 400:
        raise error_from_response(response.status_code, response.text, response.headers)
    if not isinstance(body, dict) or not body.get("access_token"):
        raise UnexpectedResponse(
            response.status_code,
            "UnexpectedResponse",
            f"The token endpoint answered without an access token: {excerpt(response.text)}",
        )
    return token_with_expiry(body)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
