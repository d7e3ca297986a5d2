"""One row per sync run, so pages can show freshness and admins can see what happened."""

from __future__ import annotations

from django.db import models


class SyncArea(models.TextChoices):
    ORGANIZERS = "organizers", "Organizers and groups"
    HISTORY = "history", "Meeting history"
    ATTENDEES = "attendees", "Attendees"
    SCHEDULED = "scheduled", "Scheduled meetings"
    LIVE = "live", "Live meetings"


class SyncOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Already running"


# The error of a skipped periodic run whose area's stretched cadence had not elapsed
# (sync.cadence); other skipped runs say "already running".
DEFERRED_PREFIX = "deferred: "


class SyncRun(models.Model):
    """A run of one sync task for one key (a group, say) over an optional window."""

    area = models.CharField(max_length=16, choices=SyncArea.choices)
    key = models.CharField(max_length=64, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=SyncOutcome.choices, default=SyncOutcome.RUNNING
    )
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent done")
    error = models.TextField(blank=True)
    # History: whether this run's window_end moves the group's cursor (False for a
    # `sync --since` run that starts after the cursor, so no gap is skipped).
    advances_cursor = models.BooleanField(default=True)
    triggered_by = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["area", "key", "outcome", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.area}:{self.key} {self.outcome}"

    @property
    def deferred(self) -> bool:
        """A periodic run not run because the API budget stretched its area's cadence."""
        return self.outcome == SyncOutcome.SKIPPED and self.error.startswith(DEFERRED_PREFIX)
