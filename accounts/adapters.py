"""allauth adapters: how a GoTo sign-in becomes a portal user with a role and a stored token.

- ``GoToSocialAccountAdapter.pre_social_login`` refuses identities from another GoTo account,
  refuses linking ("connecting") a second GoTo identity to a signed-in user, refuses a sign-in
  whose GoTo identity differs from the one on record for that user, and connects a GoTo
  identity to the existing user with the same (GoTo-verified) email, so rows pre-created by
  ``demo_setup`` are used, not duplicated. One portal user is exactly one GoTo identity.
- ``PortalAccountAdapter.pre_login`` refuses users whose portal access was revoked, then hands
  what GoTo said (identity, admin probe, tokens) to ``services.user_goto_sign_in``.
- ``PortalAccountAdapter.login`` stamps the session's sign-in time for the absolute timeout.
"""

from __future__ import annotations

import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect

from .goto.provider import ACCOUNT_ADMIN_KEY, GoToProvider
from .middleware import ACCESS_REVOKED_MESSAGE, LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from .services import (
    GoToIdentity,
    SignInRefused,
    goto_connect_refuse,
    goto_identity_check,
    goto_sign_in_check,
    user_find_for_goto_identity,
    user_goto_sign_in,
)


def _refuse(request: HttpRequest, message: str, to: str = "account_login"):
    messages.error(request, message)
    raise ImmediateHttpResponse(redirect(to))


def _identity(sociallogin) -> GoToIdentity:
    data = sociallogin.account.extra_data or {}
    return GoToIdentity.from_token_answer(data, is_account_admin=bool(data.get(ACCOUNT_ADMIN_KEY)))


def _token_dict(sociallogin) -> dict:
    token = sociallogin.token
    answer = {
        "access_token": token.token,
        "refresh_token": token.token_secret or "",
        "token_type": "Bearer",
    }
    if token.expires_at:
        answer["expires_at"] = token.expires_at.timestamp()
    return answer


def _is_goto(sociallogin) -> bool:
    return sociallogin is not None and sociallogin.account.provider == GoToProvider.id


class GoToSocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        if not _is_goto(sociallogin):
            return
        identity = _identity(sociallogin)
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            signed_in = request.user if request.user.is_authenticated else None
            try:
                goto_connect_refuse(user=signed_in, identity=identity)
            except SignInRefused as exc:
                _refuse(request, str(exc), to="home" if signed_in else "account_login")
        try:
            goto_sign_in_check(identity=identity)
            if sociallogin.is_existing:
                goto_identity_check(user=sociallogin.user, identity=identity)
                return
            # GoTo is trusted for email ownership: connect to the pre-existing row if there is
            # one, unless that row is another GoTo user.
            existing = user_find_for_goto_identity(identity=identity)
            if existing is not None:
                goto_identity_check(user=existing, identity=identity)
                sociallogin.connect(request, existing)
        except SignInRefused as exc:
            _refuse(request, str(exc))


class PortalAccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user, **kwargs):
        if not getattr(user, "portal_access", True):
            messages.error(request, ACCESS_REVOKED_MESSAGE)
            return redirect("account_login")
        response = super().pre_login(request, user, **kwargs)
        if response:
            return response
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if _is_goto(sociallogin) and sociallogin.token is not None:
            try:
                user_goto_sign_in(
                    user=user,
                    identity=_identity(sociallogin),
                    token=_token_dict(sociallogin),
                    first_login=bool(kwargs.get("signup")),
                )
            except SignInRefused as exc:
                messages.error(request, str(exc))
                return redirect("account_login")
            user.refresh_from_db()
        return None

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        now = int(time.time())
        request.session[SIGNED_IN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now
