"""The digests' URLs and the profile page, and the status each role gets on GET."""

from __future__ import annotations


def _unsubscribe_kwargs():
    from digests.models import DigestSubscription
    from digests.tokens import unsubscribe_token
    from tests.factories import UserFactory

    subscription = DigestSubscription.objects.create(
        user=UserFactory(role="manager"), frequency="weekly"
    )
    return {"token": unsubscribe_token(subscription)}


URL_ROLES = {
    "accounts:profile": {"anonymous": 302, "organizer": 200, "manager": 200, "admin": 200},
    # The preview of a Manager with no group yet is the form's error (nothing to show).
    "digests:preview": {
        "anonymous": 302,
        "organizer": 403,
        "manager_no_group": 400,
        "manager": 200,
        "admin": 200,
    },
    # The signed link is the proof: no session needed, GET only asks to confirm.
    "digests:unsubscribe": {
        "kwargs": _unsubscribe_kwargs,
        "anonymous": 200,
        "organizer": 200,
        "manager": 200,
        "admin": 200,
    },
}
