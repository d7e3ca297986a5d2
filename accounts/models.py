"""Portal users with their role, and the audit log of every write action."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.html import format_html_join

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


class AuditAction(models.TextChoices):
    """Every action the audit log records, named ``<object>.<verb>`` (one object, singular;
    a bulk action's verb says so: ``organizer.bulk_suspend``). ``audit_record`` accepts only
    these; entries stored under older names were renamed by migration 0004."""

    USER_SIGN_IN = "user.sign_in", "User: sign in"
    USER_CONNECT = "user.connect", "User: link a GoTo sign-in"
    USER_CREATE = "user.create", "User: create"
    ROLE_CHANGE = "role.change", "Role: change"
    ROLE_SCOPE = "role.scope", "Role: scope to groups"
    ACCESS_GRANT = "access.grant", "Access: grant"
    ACCESS_REVOKE = "access.revoke", "Access: revoke"
    SERVICE_CONNECTION_CHANGE = "service_connection.change", "Service connection: change"
    SYNC_TRIGGER = "sync.trigger", "Sync: refresh now"
    ORGANIZER_INVITE = "organizer.invite", "Organizer: invite"
    ORGANIZER_RECHECK = "organizer.recheck", "Organizer: re-check"
    ORGANIZER_RECONCILE = "organizer.reconcile", "Organizer: re-read after a lost answer"
    ORGANIZER_SUSPEND = "organizer.suspend", "Organizer: suspend"
    ORGANIZER_REACTIVATE = "organizer.reactivate", "Organizer: reactivate"
    ORGANIZER_DELETE = "organizer.delete", "Organizer: delete"
    ORGANIZER_BULK_SUSPEND = "organizer.bulk_suspend", "Organizer: suspend several"
    ORGANIZER_BULK_REACTIVATE = "organizer.bulk_reactivate", "Organizer: reactivate several"
    IMPORT_PREVIEW = "import.preview", "Import: preview a file"
    IMPORT_START = "import.start", "Import: start"
    IMPORT_RUN = "import.run", "Import: run"
    MEETING_CREATE = "meeting.create", "Meeting: create"
    MEETING_UPDATE = "meeting.update", "Meeting: update"
    MEETING_DELETE = "meeting.delete", "Meeting: delete"
    MEETING_START = "meeting.start", "Meeting: start"
    MEETING_RECONCILE = "meeting.reconcile", "Meeting: re-read after a lost answer"
    DIGEST_SUBSCRIBE = "digest.subscribe", "Digest: subscribe"
    DIGEST_UNSUBSCRIBE = "digest.unsubscribe", "Digest: unsubscribe"
    API_TOKEN_CREATE = "api_token.create", "API token: create"
    API_TOKEN_REVOKE = "api_token.revoke", "API token: revoke"


class AuditEntry(models.Model):
    """Who did what to which target, when, and how it ended. Never edited or deleted.

    ``changes`` holds what a change did, field by field: ``{"role": {"before": "organizer",
    "after": "manager"}}`` (empty when there is nothing to compare, e.g. a failure or a
    create); :meth:`changes_text` is its one rendering for people (page and CSV).
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True, choices=AuditAction.choices)
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=254, blank=True, db_index=True)
    target_label = models.CharField(max_length=254, blank=True)
    outcome = models.CharField(max_length=16, choices=AuditOutcome.choices)
    detail = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.outcome}"

    def change_lines(self) -> list[tuple[str, str, str]]:
        """(field, before, after) of each change, as text: the one reading of ``changes``."""
        return [
            (str(name), _shown(change.get("before")), _shown(change.get("after")))
            for name, change in (self.changes or {}).items()
            if isinstance(change, dict)
        ]

    def changes_text(self) -> str:
        """The changes as "field: before → after", separated by "; " (the CSV column)."""
        return "; ".join(
            f"{name}: {before} → {after}" for name, before, after in self.change_lines()
        )

    def changes_html(self) -> str:
        """The changes for the audit page, one "field: before → after" a line, escaped."""
        return format_html_join("", "<div>{}: {} → {}</div>", self.change_lines())


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


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
