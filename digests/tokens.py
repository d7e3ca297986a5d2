"""The signed unsubscribe link of a digest (``django.core.signing``).

The link carries the subscription's and its user's ids and the subscription's generation
(it changes when the user subscribes again after stopping, so an old digest's link cannot
stop the new subscription), signed with the portal's secret key
and a salt of its own, so it cannot be forged or turned into another user's link, and it
works without signing in. It lasts :data:`LINK_MAX_AGE` (an old digest's link still works for
a year); a link for a subscription that no longer exists, or whose user changed, is refused.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from .models import DigestSubscription

SALT = "digests.unsubscribe"
LINK_MAX_AGE = timedelta(days=400)


def unsubscribe_token(subscription: DigestSubscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "u": subscription.user_id, "g": subscription.generation},
        salt=SALT,
    )


def subscription_from_token(token: str) -> DigestSubscription | None:
    """The subscription a link names, or None when the link is damaged, forged, too old, or
    from before the user last subscribed again."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        DigestSubscription.objects.select_related("user")
        .filter(pk=data.get("s"), user_id=data.get("u"), generation=data.get("g", -1))
        .first()
    )
