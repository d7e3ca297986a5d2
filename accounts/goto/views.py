"""OAuth 2.0 adapter for GoTo: authorization code + PKCE, client credentials as HTTP Basic.

The URLs are read from settings on every use, so the same code talks to the sandbox or to
GoTo (and tests can point it at a sandbox started on a free port).
"""

from __future__ import annotations

from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.http import HttpRequest

from gotomeeting import GoToMeetingClient
from gotomeeting import errors as api_errors

# Never copied into SocialAccount.extra_data (stored in clear): tokens live in accounts.tokens.
#: Key under which ``complete_login`` records the admin probe's answer in ``extra_data``.
ACCOUNT_ADMIN_KEY = "goto_account_admin"
_SECRET_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})


class SignInCheckFailed(ProviderException):
    """The admin check after the token exchange failed; ``people_message`` says why.

    allauth renders ``socialaccount/authentication_error.html`` with this exception as
    ``auth_error.exception``; the template shows ``people_message`` instead of its generic text.
    """

    def __init__(self, message: str, *, people_message: str):
        super().__init__(message)
        self.people_message = people_message


GOTO_BUSY_MESSAGE = (
    "GoTo was busy or unavailable while the portal checked your account, so you are not "
    "signed in yet. Nothing was changed. Try signing in again in a minute."
)
GOTO_REFUSED_MESSAGE = (
    "GoTo did not accept the sign-in it had just granted while the portal checked your "
    "account. Nothing was changed. Try signing in again; if it keeps failing, ask a portal admin."
)


def probe_account_admin(access_token: str) -> bool:
    """Ask GoTo whether the token's user is an account admin: ``GET /groups`` is admin-only.

    Answered (200) means admin, Forbidden (403) means not. The call goes through the API client,
    so brief 429s and 5xx are retried with backoff (honouring ``Retry-After``) within the
    interactive deadline; when GoTo still fails, :class:`SignInCheckFailed` says what happened.
    The token goes without its refresh token: a refresh here would rotate it behind the back of
    the token about to be stored.
    """
    from accounts.connections import log_api_call, oauth_config
    from sync.usage import count_api_call

    client = GoToMeetingClient(
        api_base_url=settings.GOTO_API_BASE_URL,
        oauth=oauth_config(),
        token={"access_token": access_token, "token_type": "Bearer"},
        deadline=settings.GOTO_INTERACTIVE_DEADLINE_SECONDS,
        on_call=log_api_call,
        on_send=count_api_call,
    )
    try:
        with client:
            client.get_groups()
    except api_errors.Forbidden:
        return False
    except api_errors.Unauthorized as exc:
        raise SignInCheckFailed(
            f"GoTo's admin check was refused: {exc}", people_message=GOTO_REFUSED_MESSAGE
        ) from exc
    except api_errors.ApiError as exc:  # 429, 5xx, no answer, an unreadable answer
        raise SignInCheckFailed(
            f"GoTo's admin check failed: {exc}", people_message=GOTO_BUSY_MESSAGE
        ) from exc
    return True


class GoToOAuth2Adapter(OAuth2Adapter):
    provider_id = "goto"
    basic_auth = True  # GoTo wants client_id:client_secret as HTTP Basic on the token call

    @property
    def authorize_url(self) -> str:
        return settings.GOTO_AUTHORIZE_URL

    @property
    def access_token_url(self) -> str:
        return settings.GOTO_TOKEN_URL

    def complete_login(self, request: HttpRequest, app, token, response=None, **kwargs):
        answer = dict(response or {})
        extra_data = {k: v for k, v in answer.items() if k not in _SECRET_FIELDS}
        extra_data[ACCOUNT_ADMIN_KEY] = probe_account_admin(token.token)
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(GoToOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GoToOAuth2Adapter)
