"""Portal users with their role, and the audit log of every write action."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from .fields import EncryptedTextField


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    ORGANIZER = "organizer", "Organizer"


# The user row the service connection's token belongs to (accounts.connections); not a person,
# so never listed on the Roles page.
SERVICE_ACCOUNT_USERNAME = "__goto_service_account__"


class User(AbstractUser):
    """A person who signs in through GoTo; ``role`` decides what the portal lets them do."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ORGANIZER)
    organizer_key = models.BigIntegerField(null=True, blank=True, unique=True)
    account_key = models.BigIntegerField(null=True, blank=True)
    # A Manager sees only these groups and their sub-groups; none = nothing (fails closed).
    managed_groups = models.ManyToManyField(
        "organizers.Group", blank=True, related_name="scoped_managers"
    )
    portal_access = models.BooleanField(
        default=True, help_text="Revoking access signs the user out everywhere at once."
    )

    @property
    def is_portal_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager_or_admin(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def awaits_scope(self) -> bool:
        """A Manager whom no Admin has scoped to a group yet: they see no data until one does
        (every page says so). Read once per request object."""
        if self.role != Role.MANAGER:
            return False
        if not hasattr(self, "_awaits_scope"):
            self._awaits_scope = not self.managed_groups.exists()
        return self._awaits_scope


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    FAILURE = "failure", "Failure"


class AuditEntry(models.Model):
    """Who did what to which target, when, and how it ended. Never edited or deleted."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=254, blank=True, db_index=True)
    target_label = models.CharField(max_length=254, blank=True)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    detail = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.outcome}"


class StoredToken(models.Model):
    """A user's GoTo OAuth tokens, encrypted at rest (see accounts.fields)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goto_token"
    )
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField(blank=True)
    # The GoTo identity the token was issued to: a token is used only while its user is still
    # that identity (accounts.tokens.load_token), never for another GoTo user.
    organizer_key = models.BigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"GoTo token of {self.user}"


class ServiceConnection(models.Model):
    """Which Admin's stored token background work (the sync) uses. A single row."""

    admin = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Service connection via {self.admin or 'nobody'}"

    @classmethod
    def load(cls) -> ServiceConnection:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
