"""Where API clients come from: one for the signed-in user, one for background work.

Every client refreshes its token through the stored copy, under a lock per token owner, so
two processes never race on a rotating refresh token.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from gotomeeting import CallRecord, GoToMeetingClient
from gotomeeting.auth import OAuthConfig, direct_login
from gotomeeting.errors import ApiError, TransportError
from portal.locks import cache_lock
from sync.budget import Priority, budget_for
from sync.usage import count_api_call

from .models import SERVICE_ACCOUNT_USERNAME, Role, ServiceConnection, User
from .tokens import TokenRevoked, load_token, store_token

api_logger = logging.getLogger("portal.api")


def log_api_call(record: CallRecord) -> None:
    """Log one API operation (the client's ``on_call`` hook): never a token, body or query."""
    failed = record.status is None or record.status >= 500
    api_logger.log(
        logging.WARNING if failed else logging.INFO,
        "GoTo API %s %s %s -> %s in %.0f ms, %d retries",
        record.operation,
        record.method,
        record.path,
        record.status if record.status is not None else "no answer",
        record.duration_ms,
        record.retries,
        extra={
            "operation": record.operation,
            "method": record.method,
            "path": record.path,
            "status": record.status,
            "duration_ms": record.duration_ms,
            "retries": record.retries,
        },
    )


def oauth_config() -> OAuthConfig:
    """The OAuth endpoints and client credentials from settings (sandbox or GoTo)."""
    return OAuthConfig(
        client_id=settings.GOTO_CLIENT_ID,
        client_secret=settings.GOTO_CLIENT_SECRET,
        authorize_url=settings.GOTO_AUTHORIZE_URL,
        token_url=settings.GOTO_TOKEN_URL,
        direct_login_url=settings.GOTO_DIRECT_LOGIN_URL,
    )


def _refresh_lock(user: User):
    def lock() -> AbstractContextManager:
        return cache_lock(f"goto-token-refresh:{user.pk}", timeout=30, wait=30)

    return lock


def client_for_user(
    user: User, *, priority: Priority = Priority.INTERACTIVE, **client_options
) -> GoToMeetingClient:
    """A client acting as ``user`` with their stored token; TokenRevoked when there is none.

    Its calls draw from the token's shared budget (``sync.budget``) at ``priority``: a person's
    click goes ahead of the sync, which uses :func:`service_client` (background). Each
    operation gets the interactive deadline unless ``deadline`` says otherwise.
    """
    token = load_token(user)
    if token is None:
        raise TokenRevoked(f"No GoTo token is stored for {user.email}.")
    client_options.setdefault("on_call", log_api_call)
    client_options.setdefault("on_send", count_api_call)  # calls per hour, area, operation
    client_options.setdefault("budget", budget_for(user.pk, priority=priority))
    client_options.setdefault("deadline", settings.GOTO_INTERACTIVE_DEADLINE_SECONDS)
    return GoToMeetingClient(
        api_base_url=settings.GOTO_API_BASE_URL,
        oauth=oauth_config(),
        token=token,
        token_updater=lambda new_token: store_token(user, new_token),
        token_loader=lambda: load_token(user) or token,
        refresh_lock=_refresh_lock(user),
        **client_options,
    )


def direct_login_configured() -> bool:
    return bool(settings.GOTO_SERVICE_USERNAME and settings.GOTO_SERVICE_PASSWORD)


def _service_account() -> User:
    user, _ = User.objects.get_or_create(
        username=SERVICE_ACCOUNT_USERNAME,
        defaults={"is_active": False, "portal_access": False, "email": ""},
    )
    return user


def _direct_login_client(*, priority: Priority, **client_options) -> GoToMeetingClient:
    account = _service_account()
    with cache_lock(f"goto-token-refresh:{account.pk}", timeout=30, wait=30):
        if load_token(account) is None:
            store_token(
                account,
                direct_login(
                    oauth_config(),
                    username=settings.GOTO_SERVICE_USERNAME,
                    password=settings.GOTO_SERVICE_PASSWORD,
                ),
            )
    return client_for_user(account, priority=priority, **client_options)


def service_admin() -> User | None:
    """The Admin whose token background work uses: the chosen one, else the first with a token."""
    chosen = ServiceConnection.load().admin
    if chosen is not None and chosen.role == Role.ADMIN and chosen.portal_access:
        return chosen
    from .selectors import admins_with_token

    return admins_with_token().order_by("pk").first()


def service_client(
    *, priority: Priority = Priority.BACKGROUND, **client_options
) -> GoToMeetingClient:
    """The client background work uses: Direct Login if configured, else an Admin's token. Its
    calls yield the budget's headroom to interactive work unless ``priority`` says otherwise
    (an import an Admin waits on). Each operation gets the background deadline unless
    ``deadline`` says otherwise.
    """
    client_options.setdefault("deadline", settings.GOTO_BACKGROUND_DEADLINE_SECONDS)
    if direct_login_configured():
        return _direct_login_client(priority=priority, **client_options)
    admin = service_admin()
    if admin is None:
        raise TokenRevoked(
            "No service connection: an Admin must sign in, or choose one on the Sync status page."
        )
    return client_for_user(admin, priority=priority, **client_options)


@dataclass(frozen=True)
class ConnectionStatus:
    kind: str  # "direct_login", "admin_token" or "none"
    label: str
    ok: bool
    detail: str


def service_connection_status(*, probe: bool = False) -> ConnectionStatus:
    """Which connection background work uses and whether it works (``probe`` asks the API)."""
    if direct_login_configured():
        kind, label = "direct_login", f"Direct Login as {settings.GOTO_SERVICE_USERNAME}"
    else:
        admin = service_admin()
        if admin is None:
            return ConnectionStatus("none", "No service connection", False, "No Admin token.")
        kind, label = "admin_token", f"Stored token of {admin.email}"
    connection = ServiceConnection.load()
    if not probe:
        ok = connection.last_error == ""
        return ConnectionStatus(kind, label, ok, connection.last_error or "")
    try:
        with service_client(deadline=settings.GOTO_INTERACTIVE_DEADLINE_SECONDS) as client:
            client.get_groups()  # asked from a page: the page's deadline
    except (TokenRevoked, ApiError, TransportError) as exc:
        connection.last_error = str(exc) or exc.__class__.__name__
        connection.save(update_fields=["last_error", "updated_at"])
        return ConnectionStatus(kind, label, False, connection.last_error)
    connection.last_error = ""
    connection.last_ok_at = timezone.now()
    connection.save(update_fields=["last_error", "last_ok_at", "updated_at"])
    return ConnectionStatus(kind, label, True, "Working")
