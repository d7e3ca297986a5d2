"""The tokens page: every signed-in user with portal access manages their own tokens; the
revoke confirmation of another user's token exists only for Admins (404 for everyone else)."""

from __future__ import annotations


def _someone_elses_token():
    from datetime import timedelta

    from django.utils import timezone

    from reporting_api.services import api_token_create
    from tests.factories import UserFactory

    owner = UserFactory()
    token, _secret = api_token_create(
        owner=owner, name="theirs", expires_at=timezone.now() + timedelta(days=5), acting_user=owner
    )
    return {"pk": token.pk}


URL_ROLES = {
    "api_tokens": {"anonymous": 302, "organizer": 200, "manager": 200, "admin": 200},
    "api_token_revoke": {
        "kwargs": _someone_elses_token,
        "anonymous": 302,
        "organizer": 404,
        "manager": 404,
        "admin": 200,
    },
}
