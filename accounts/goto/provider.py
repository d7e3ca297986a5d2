"""The GoTo provider: who the user is comes from the token answer, not a profile call."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount, ProviderException
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from accounts.goto.views import ACCOUNT_ADMIN_KEY, GoToOAuth2Adapter

__all__ = ["ACCOUNT_ADMIN_KEY", "GoToAccount", "GoToProvider"]


class GoToAccount(ProviderAccount):
    def to_str(self) -> str:
        return self.account.extra_data.get("email") or super().to_str()


class GoToProvider(OAuth2Provider):
    id = "goto"
    name = "GoTo"
    account_class = GoToAccount
    oauth2_adapter_class = GoToOAuth2Adapter
    # The sandbox verifies PKCE (S256), and GoTo accepts it: on unless settings turn it off.
    pkce_enabled_default = True

    def extract_uid(self, data: dict) -> str:
        key = data.get("organizer_key")
        if not key:
            raise ProviderException("GoTo's token answer has no organizer_key.")
        return str(key)

    def extract_common_fields(self, data: dict) -> dict:
        email = (data.get("email") or data.get("principal") or "").strip()
        return {
            "email": email,
            "username": email,
            "first_name": data.get("firstName") or "",
            "last_name": data.get("lastName") or "",
        }

    def extract_email_addresses(self, data: dict) -> list[EmailAddress]:
        # GoTo only issues tokens to users of a GoTo account, whose address GoTo verified.
        email = (data.get("email") or data.get("principal") or "").strip()
        if not email:
            return []
        return [EmailAddress(email=email, verified=True, primary=True)]


provider_classes = [GoToProvider]
