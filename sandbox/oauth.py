"""OAuth endpoints: authorize (sign-in page), token (code, refresh, password grants) and
the legacy Direct Login ``/oauth/access_token``."""

from __future__ import annotations

import base64
import binascii
from typing import Protocol
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from sandbox import demo_account as acct
from sandbox.http_types import Request, Response, html_response, json_response, redirect_response
from sandbox.routing import Route, route
from sandbox.signin_page import error_page, signin_page
from sandbox.store import Store
from sandbox.tokens import TokenStore, s256

AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
BAD_CREDENTIALS = "Incorrect email or password"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthApp(Protocol):
    """The parts of the sandbox the OAuth endpoints use."""

    store: Store
    tokens: TokenStore
    token_ttl: int

    def now(self) -> float: ...


# -- helpers shared with the control endpoints ----------------------------------------------
def authenticate(store: Store, email: str, password: str) -> tuple[dict | None, str]:
    """The organizer these credentials belong to, or ``None`` and why not."""
    organizer = store.org_by_email.get(email.strip().lower())
    if organizer is None or not organizer["confirmed"] or password != acct.DEMO_PASSWORD:
        return None, BAD_CREDENTIALS
    if organizer["status"] != "active":
        return None, "This account is suspended"
    return organizer, ""


def token_answer(
    organizer: dict, access: str, refresh: str, ttl: int, *, legacy: bool = False
) -> dict:
    """The token answer, every field of the reference (legacy: ``expires_in`` a string)."""
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": str(ttl) if legacy else ttl,
        "refresh_token": refresh,
        "organizer_key": str(organizer["organizerKey"]),
        "account_key": str(acct.ACCOUNT_KEY),
        "account_type": "corporate",
        "firstName": organizer["firstName"],
        "lastName": organizer["lastName"],
        "email": organizer["email"],
        "principal": organizer["email"],
        "version": "3",
    }


def issue_tokens(app: OAuthApp, organizer: dict, ttl: int, *, legacy: bool = False) -> dict:
    access, refresh = app.tokens.mint(organizer["organizerKey"], ttl, app.now())
    return token_answer(organizer, access, refresh, ttl, legacy=legacy)


def oauth_error(status: int, error: str, description: str) -> Response:
    headers = dict(NO_STORE)
    if error == "invalid_client":
        headers["WWW-Authenticate"] = 'Basic realm="GoTo sandbox"'
    return json_response(status, {"error": error, "error_description": description}, headers)


# -- authorize ------------------------------------------------------------------------------
def _check_authorize(values: dict[str, str]) -> str | None:
    """Why this authorize request is refused, or ``None``."""
    if values.get("client_id") != acct.CLIENT_ID:
        return "Unknown client_id"
    if values.get("response_type") != "code":
        return "response_type must be 'code'"
    redirect = urlsplit(values.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or redirect.hostname not in LOOPBACK_HOSTS:
        return "redirect_uri must be an http(s) URL on 127.0.0.1 or localhost"
    challenge, method = values.get("code_challenge"), values.get("code_challenge_method")
    if challenge and method != "S256":
        return "code_challenge_method must be S256"
    if method and not challenge:
        return "code_challenge_method given without code_challenge"
    return None


def _authorize_values(source: dict[str, str]) -> dict[str, str]:
    return {name: source.get(name, "") for name in AUTHORIZE_PARAMS}


def authorize_page(app: OAuthApp, request: Request) -> Response:
    """``GET /oauth/authorize``: the sign-in page."""
    values = _authorize_values(request.query)
    problem = _check_authorize(values)
    if problem:
        return html_response(400, error_page(problem))
    return html_response(200, signin_page(values), NO_STORE)


def authorize_submit(app: OAuthApp, request: Request) -> Response:
    """``POST /oauth/authorize``: check the credentials, then redirect back with a code."""
    form = request.form()
    values = _authorize_values(form)
    problem = _check_authorize(values)
    if problem:
        return html_response(400, error_page(problem))
    email = form.get("email", "")
    organizer, why = authenticate(app.store, email, form.get("password", ""))
    if organizer is None:
        return html_response(200, signin_page(values, email=email, error=why), NO_STORE)
    code = app.tokens.issue_code(
        organizer_key=organizer["organizerKey"],
        client_id=values["client_id"],
        redirect_uri=values["redirect_uri"],
        code_challenge=values["code_challenge"] or None,
        now=app.now(),
    )
    target = urlsplit(values["redirect_uri"])
    extra = {"code": code, **({"state": values["state"]} if values["state"] else {})}
    query = f"{target.query}&{urlencode(extra)}" if target.query else urlencode(extra)
    return redirect_response(urlunsplit(target._replace(query=query)))


# -- token ----------------------------------------------------------------------------------
def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.header("Authorization")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _active(app: OAuthApp, organizer_key: int | None) -> dict | None:
    organizer = app.store.org_by_key.get(organizer_key) if organizer_key else None
    if organizer is None or organizer["status"] != "active":
        return None
    return organizer


def token(app: OAuthApp, request: Request) -> Response:
    """``POST /oauth/token`` with HTTP Basic client credentials (or in the form)."""
    form = request.form()
    client_id, secret = _client_credentials(request, form)
    if client_id != acct.CLIENT_ID or secret != acct.CLIENT_SECRET:
        return oauth_error(401, "invalid_client", "Client authentication failed")
    grant = form.get("grant_type", "")
    now = app.now()
    if grant == "authorization_code":
        code = form.get("code", "")
        if not code:
            return oauth_error(400, "invalid_request", "code is required")
        granted = app.tokens.redeem_code(code, now)
        if granted is None or granted.client_id != client_id:
            return oauth_error(400, "invalid_grant", "The code is invalid, used or expired")
        if form.get("redirect_uri", "") != granted.redirect_uri:
            return oauth_error(400, "invalid_grant", "redirect_uri does not match")
        if granted.code_challenge and s256(form.get("code_verifier", "")) != (
            granted.code_challenge
        ):
            return oauth_error(400, "invalid_grant", "code_verifier does not match")
        organizer = _active(app, granted.organizer_key)
    elif grant == "refresh_token":
        refresh = form.get("refresh_token", "")
        if not refresh:
            return oauth_error(400, "invalid_request", "refresh_token is required")
        organizer = _active(app, app.tokens.use_refresh(refresh, now))
        if organizer is None:
            return oauth_error(400, "invalid_grant", "The refresh token is invalid or expired")
    elif grant == "password":
        organizer, why = authenticate(app.store, form.get("username", ""), form.get("password", ""))
        if organizer is None:
            return oauth_error(400, "invalid_grant", why)
    else:
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")
    if organizer is None:
        return oauth_error(400, "invalid_grant", "The organizer cannot sign in")
    return json_response(200, issue_tokens(app, organizer, app.token_ttl), NO_STORE)


def legacy_access_token(app: OAuthApp, request: Request) -> Response:
    """``GET|POST /oauth/access_token``: Direct Login with ``user_id`` and ``password``."""
    values = dict(request.query)
    if request.method == "POST":
        values.update(request.form())
    if values.get("client_id") != acct.CLIENT_ID:
        return oauth_error(401, "invalid_client", "Unknown client_id")
    if values.get("grant_type") != "password":
        return oauth_error(400, "unsupported_grant_type", "grant_type must be 'password'")
    user = values.get("user_id") or values.get("username") or ""
    organizer, why = authenticate(app.store, user, values.get("password", ""))
    if organizer is None:
        return oauth_error(400, "invalid_grant", why)
    return json_response(200, issue_tokens(app, organizer, app.token_ttl, legacy=True), NO_STORE)


ROUTES: list[Route] = [
    route("GET", "/oauth/authorize", authorize_page),
    route("POST", "/oauth/authorize", authorize_submit),
    route("POST", "/oauth/token", token),
    route("GET", "/oauth/access_token", legacy_access_token),
    route("POST", "/oauth/access_token", legacy_access_token),
]
