"""The local cache of the account's groups and organizers, refreshed by the sync."""

from __future__ import annotations

from django.db import models


class Group(models.Model):
    """A GoTo group; ``parent`` is None for a top-level group."""

    group_key = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    status = models.CharField(max_length=32, blank=True)
    num_organizers = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Organizer(models.Model):
    """A GoTo organizer. No ``organizer_key`` means the invitation is not yet confirmed."""

    organizer_key = models.BigIntegerField(null=True, blank=True, unique=True)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="organizers"
    )
    status = models.CharField(
        max_length=16, choices=OrganizerStatus.choices, default=OrganizerStatus.ACTIVE
    )
    # Comma-separated product types, e.g. "G2M,G2W".
    products = models.CharField(max_length=64, blank=True)
    max_attendees = models.PositiveIntegerField(null=True, blank=True)
    # Deleted at GoTo (by us or elsewhere): kept so its meetings keep their owner.
    deleted_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return self.label(self.first_name, self.last_name, self.email)

    @staticmethod
    def label(first_name: str, last_name: str, email: str) -> str:
        """How an organizer is named (its ``str()``), from its fields alone."""
        return f"{first_name} {last_name}".strip() or email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_pending(self) -> bool:
        return self.organizer_key is None

    @property
    def product_list(self) -> list[str]:
        return [p for p in self.products.split(",") if p]


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Previewed, not sent"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Creating organizers"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Stopped by an error"


class ImportJob(models.Model):
    """A CSV of organizers to invite: previewed row by row, then created by a Celery task."""

    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    # Why the last attempt to start the job failed (e.g. the task queue was unreachable).
    enqueue_error = models.TextField(blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.filename or 'upload'})"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ImportRowOutcome(models.TextChoices):
    INVALID = "invalid", "Invalid (not sent)"
    WAITING = "waiting", "Waiting"
    CREATED = "created", "Created"
    EXISTS = "exists", "Already exists"
    FAILED = "failed", "Failed"


class ImportRow(models.Model):
    """One line of an import: what the file said, whether it was valid, and what happened."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    line_number = models.PositiveIntegerField()
    email = models.CharField(max_length=254, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    group_name = models.CharField(max_length=255, blank=True)
    product_type = models.CharField(max_length=32, blank=True)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The preview's verdict: blank when the row is valid.
    error = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(
        max_length=16, choices=ImportRowOutcome.choices, default=ImportRowOutcome.WAITING
    )
    detail = models.CharField(max_length=500, blank=True)
    organizer = models.ForeignKey(
        Organizer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line_number"], name="import_row_unique_line")
        ]
        indexes = [models.Index(fields=["job", "outcome"])]

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.email}"

    @property
    def is_valid(self) -> bool:
        return not self.error
