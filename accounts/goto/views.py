"""OAuth 2.0 adapter for GoTo: authorization code + PKCE, client credentials as HTTP Basic.

The URLs are read from settings on every use, so the same code talks to the sandbox or to
GoTo (and tests can point it at a sandbox started on a free port).
"""

from __future__ import annotations

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.http import HttpRequest

# Never copied into SocialAccount.extra_data (stored in clear): tokens live in accounts.tokens.
_SECRET_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})
PROBE_TIMEOUT = (5, 15)


def probe_account_admin(access_token: str) -> bool:
    """Ask GoTo whether the token's user is an account admin: ``GET /groups`` is admin-only.

    200 means admin, 403 means not; anything else is an error the login page reports.
    """
    url = f"{settings.GOTO_API_BASE_URL.rstrip('/')}/groups"
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(url, headers=headers, timeout=PROBE_TIMEOUT)
    except requests.RequestException as exc:
        raise ProviderException(f"GoTo did not answer the admin check: {exc}") from exc
    if response.status_code == 200:
        return True
    if response.status_code == 403:
        return False
    raise ProviderException(f"GoTo's admin check answered HTTP {response.status_code}.")


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
        from accounts.goto.provider import ACCOUNT_ADMIN_KEY

        answer = dict(response or {})
        extra_data = {k: v for k, v in answer.items() if k not in _SECRET_FIELDS}
        extra_data[ACCOUNT_ADMIN_KEY] = probe_account_admin(token.token)
        return self.get_provider().sociallogin_from_response(request, extra_data)


oauth2_login = OAuth2LoginView.adapter_view(GoToOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(GoToOAuth2Adapter)
