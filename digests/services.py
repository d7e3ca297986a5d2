"""Writes of the digests: subscribe, unsubscribe (both audit-logged), and sending.

Sending is claimed once per (user, frequency, period) by inserting a :class:`SentDigest`
before the message leaves (see :mod:`digests.models`): a retried task or a second worker finds
the row and sends nothing. Each digest is sent on its own, and any error is recorded on its
row (the Sync page lists it), so one refused address never stops the others.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction
from organizers.models import Group

from .models import MAX_ATTEMPTS, DigestSubscription, SendStatus, SentDigest
from .periods import Period
from .rendering import CHART_CID, RenderedDigest, render_digest
from .selectors import digest_content, due_subscriptions, group_in_scope, subscription_zone
from .tokens import unsubscribe_token

logger = logging.getLogger(__name__)


def digest_subscribe(
    *, user, frequency: str, timezone_name: str, group: Group | None
) -> DigestSubscription:
    """Subscribe ``user`` (or change their subscription); the form has checked the choices."""
    with transaction.atomic():
        before = DigestSubscription.objects.select_for_update().filter(user=user).first()
        # Subscribing again after stopping starts a new generation: old digests' unsubscribe
        # links name the old one and are refused (changing the settings keeps the links).
        generation = 0 if before is None else before.generation + (0 if before.active else 1)
        subscription, _created = DigestSubscription.objects.update_or_create(
            user=user,
            defaults={
                "frequency": frequency,
                "timezone": timezone_name,
                "group": group,
                "active": True,
                "generation": generation,
            },
        )
        audit_record(
            actor=user,
            action=AuditAction.DIGEST_SUBSCRIBE,
            target=subscription,
            target_label=str(subscription),
            detail=f"{frequency}, {timezone_name}, group: {group.name if group else 'whole scope'}",
        )
    return subscription


def digest_unsubscribe(*, subscription: DigestSubscription, via: str) -> bool:
    """Stop ``subscription``; False when it was stopped already (nothing changes, no entry).
    ``via``: "profile page" or "e-mail link" (the link's user acts without a session)."""
    with transaction.atomic():
        stopped = DigestSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False, updated_at=timezone.now()
        )
        if stopped:
            audit_record(
                actor=subscription.user,
                action=AuditAction.DIGEST_UNSUBSCRIBE,
                target=subscription,
                target_label=str(subscription),
                detail=f"via {via}",
            )
    subscription.active = False
    return bool(stopped)


def unsubscribe_url(subscription: DigestSubscription) -> str:
    path = reverse("digests:unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def digest_render_for(
    *,
    user,
    period: Period,
    tz: zoneinfo.ZoneInfo,
    group: Group | None,
    for_email: bool,
    subscription: DigestSubscription | None = None,
) -> RenderedDigest:
    """The digest of ``user`` for ``period``: the e-mail, or the browser preview; with the
    unsubscribe link of ``subscription`` (default: the user's active one, if any)."""
    if subscription is None:
        subscription = DigestSubscription.objects.filter(user=user, active=True).first()
    content = digest_content(user=user, period=period, tz=tz, group=group)
    return render_digest(
        content,
        unsubscribe_url=unsubscribe_url(subscription) if subscription else None,
        for_email=for_email,
    )


def _message(user, rendered: RenderedDigest, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the same signed link.
            "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    message.mixed_subtype = "related"  # the chart is a part the HTML shows, not a download
    image = MIMEImage(rendered.chart_png, "png")
    image.add_header("Content-ID", f"<{CHART_CID}>")
    image.add_header("Content-Disposition", "inline", filename="meetings-per-day.png")
    message.attach(image)
    return message


def _claim(subscription: DigestSubscription, period: Period) -> SentDigest | None:
    """Insert the digest's row (or take back a failed one); None when another run has it."""
    user = subscription.user
    try:
        with transaction.atomic():
            return SentDigest.objects.create(
                user=user,
                frequency=subscription.frequency,
                period_start=period.start,
                period_end=period.end,
                recipient=user.email,
                status=SendStatus.SENDING,
            )
    except IntegrityError:
        pass
    taken = SentDigest.objects.filter(
        user=user,
        frequency=subscription.frequency,
        period_start=period.start,
        status=SendStatus.FAILED,
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=SendStatus.SENDING, attempts=F("attempts") + 1, error="", recipient=user.email)
    if not taken:
        return None
    return SentDigest.objects.get(
        user=user, frequency=subscription.frequency, period_start=period.start
    )


def digest_send(
    *, subscription: DigestSubscription, period: Period, connection=None
) -> SentDigest | None:
    """Send ``subscription``'s digest of ``period`` once; None when it was sent (or is being
    sent) already. Errors are recorded on the returned row, never raised."""
    row = _claim(subscription, period)
    if row is None:
        return None
    user = subscription.user
    try:
        if not group_in_scope(user, subscription.group):
            raise PermissionError("the subscriber's scope no longer holds the digest's group")
        rendered = digest_render_for(
            user=user,
            period=period,
            tz=subscription_zone(subscription),
            group=subscription.group,
            for_email=True,
            subscription=subscription,
        )
        _message(user, rendered, connection).send()
    except Exception as exc:  # one failing digest must not stop the others
        logger.warning("Digest to %s failed: %s", user.email, exc)
        row.status, row.error = SendStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        if connection is not None:
            _close_quietly(connection)  # the next digest opens a fresh session
    else:
        row.status, row.error = SendStatus.SENT, ""
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "error", "finished_at"])
    return row


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a session already broken: the next send opens a new one
        logger.info("Closing the SMTP session failed", exc_info=True)


@dataclass
class SendSummary:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0

    def as_dict(self) -> dict:
        return {"sent": len(self.sent), "failed": len(self.failed), "skipped": self.skipped}


def digests_send_due(*, now: datetime | None = None) -> SendSummary:
    """Send every digest due at ``now`` (beat runs this hourly), over one SMTP session."""
    now = now or timezone.now()
    summary = SendSummary()
    connection = get_connection(fail_silently=False)
    try:
        for subscription, period in due_subscriptions(now=now):
            row = digest_send(subscription=subscription, period=period, connection=connection)
            if row is None:
                summary.skipped += 1
            elif row.status == SendStatus.SENT:
                summary.sent.append(row.recipient)
            else:
                summary.failed.append(row.recipient)
    finally:
        _close_quietly(connection)
    return summary
