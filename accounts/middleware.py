"""Session rules every request goes through.

- ``SessionTimeoutMiddleware``: an idle timeout (``settings.SESSION_IDLE_SECONDS``) and an
  absolute lifetime (``settings.SESSION_COOKIE_AGE``) counted from sign-in, and an immediate
  sign-out of a user whose portal access was revoked.
- ``GoToSessionEndedMiddleware``: a view that finds the user's GoTo token missing, revoked or
  unrefreshable (``gotomeeting.errors.Unauthorized`` / ``accounts.tokens.TokenRevoked``) signs the
  user out with the one message (``portal.api_outcomes.SIGN_IN_ENDED_MESSAGE``) instead of
  answering 500. It is the only place that handles it: views do not catch these, and services
  turn a refused token into ``TokenRevoked`` after recording the failure.

Both go after ``MessageMiddleware`` (they add messages) and so after AuthenticationMiddleware.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from gotomeeting.errors import Unauthorized
from portal.api_outcomes import SIGN_IN_ENDED_MESSAGE

from .tokens import TokenRevoked

logger = logging.getLogger(__name__)

SIGNED_IN_AT_KEY = "portal_signed_in_at"
LAST_SEEN_KEY = "portal_last_seen"

IDLE_MESSAGE = "You were signed out after {minutes} minutes without activity; please sign in again."
LIFETIME_MESSAGE = "Your session reached its maximum length of {hours}; please sign in again."
ACCESS_REVOKED_MESSAGE = "Your access to the portal has been revoked. Ask a portal admin."


def _sign_out(request: HttpRequest, message: str, *, level: int = messages.WARNING) -> HttpResponse:
    """Flush the session, leave ``message`` for the login page and send the browser there."""
    next_path = request.get_full_path() if request.method == "GET" else ""
    logout(request)
    messages.add_message(request, level, message)
    login_url = resolve_url(settings.LOGIN_URL)
    if request.headers.get("HX-Request") == "true":  # django-htmx's middleware runs later
        return HttpResponseClientRedirect(login_url)
    if next_path:
        return redirect_to_login(next_path, login_url)
    return HttpResponseRedirect(login_url)


def _hours(seconds: int) -> str:
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{max(1, seconds // 60)} minutes"


class SessionTimeoutMiddleware:
    """Signs out idle sessions, sessions older than their lifetime, and revoked users.

    The sign-in time and the last activity are kept in the session (epoch seconds). Requests
    htmx makes by itself (GET with ``HX-Request``, e.g. polling a progress bar) do not count as
    activity, so an open page that polls does not keep an idle session alive for ever.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        if not getattr(user, "portal_access", True):
            logger.info("Signing out user %s: portal access revoked", user.pk)
            return _sign_out(request, ACCESS_REVOKED_MESSAGE, level=messages.ERROR)
        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if signed_in_at is None:
            # Signed in some other way than through our adapter (e.g. a test's force_login).
            session[SIGNED_IN_AT_KEY] = now
            session[LAST_SEEN_KEY] = now
            return None
        lifetime = int(settings.SESSION_COOKIE_AGE)
        if now - int(signed_in_at) >= lifetime:
            logger.info("Signing out user %s: session lifetime reached", user.pk)
            return _sign_out(request, LIFETIME_MESSAGE.format(hours=_hours(lifetime)))
        idle = int(settings.SESSION_IDLE_SECONDS)
        if last_seen is not None and now - int(last_seen) >= idle:
            logger.info("Signing out user %s: idle for %ss", user.pk, now - int(last_seen))
            return _sign_out(request, IDLE_MESSAGE.format(minutes=max(1, idle // 60)))
        background = request.method == "GET" and request.headers.get("HX-Request") == "true"
        # Save at most every few seconds, not on every request of a busy page.
        if not background and (last_seen is None or now - int(last_seen) >= 5):
            session[LAST_SEEN_KEY] = now
        return None


class GoToSessionEndedMiddleware:
    """Turns an unusable GoTo token, raised from any view, into a clean sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, Unauthorized | TokenRevoked):
            return None
        user = getattr(request, "user", None)
        logger.warning(
            "Signing out user %s: GoTo token unusable (%s)",
            getattr(user, "pk", None),
            exception,
        )
        return _sign_out(request, SIGN_IN_ENDED_MESSAGE, level=messages.ERROR)
