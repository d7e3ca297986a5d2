"""``Authorization: Bearer <token>``: the request acts as the token's owner, with their role and
scope as they are now (a role changed or access revoked since the token was made applies at
once, since the owner row is read on every request).

Every failure is a 401 with a JSON ``detail`` and ``WWW-Authenticate: Bearer``: no header, an
unknown token, an expired or revoked one, or an owner who lost portal access. The messages say
which, but never echo the token.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import authentication, exceptions

from .selectors import token_for_secret
from .services import TOKEN_PREFIX, api_token_touch

MAX_TOKEN_LENGTH = 200


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no credentials: the permission answers 401 (NotAuthenticated)
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Bearer <token>', with one token."
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Unknown token.") from None
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed("Unknown token.")
        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(
                "This token has expired: create a new one on your profile page."
            )
        owner = token.owner
        if not owner.is_active or not getattr(owner, "portal_access", False):
            raise exceptions.AuthenticationFailed(
                "The owner of this token no longer has access to the portal."
            )
        api_token_touch(token=token)
        return owner, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
