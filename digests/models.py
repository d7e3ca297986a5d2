"""E-mail digests: who subscribed to which digest, and every digest the portal tried to send.

Decisions, and why:

- **One subscription per user** (weekly or monthly, in the user's own time zone, optionally
  one group): the profile page edits it; unsubscribing keeps the row with ``active=False``, so
  a later subscribe restores the choices.
- **A SentDigest row is the claim to send** (healthchecks' "claim once"): the task inserts
  (user, frequency, period start) *before* sending, under a unique constraint, in its own
  transaction; a retried task or a second worker hits the constraint and sends nothing. The
  row then says how the send ended (sent, or failed with the SMTP error), which the Sync page
  shows. A failed send is claimed again by a conditional update (at most
  :data:`MAX_ATTEMPTS`), a row left "sending" by a killed worker never is: at most once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

MAX_ATTEMPTS = 3


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (Monday morning)"
    MONTHLY = "monthly", "Monthly (the 1st)"


class DigestSubscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription"
    )
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    timezone = models.CharField(max_length=64, default="UTC")
    # Admins may narrow the digest to one group (and its sub-groups); None = the whole scope.
    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True)
    # Counts the times the user subscribed again after stopping: an unsubscribe link carries
    # it, so the link of an old digest cannot stop a later subscription.
    generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} digest of {self.user}"


class SendStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class SentDigest(models.Model):
    """One digest (user, frequency, period): claimed, then sent or failed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_digests"
    )
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    recipient = models.EmailField(max_length=254)
    status = models.CharField(max_length=16, choices=SendStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period_start"], name="digest_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest {self.period_start}–{self.period_end} to {self.recipient}"
