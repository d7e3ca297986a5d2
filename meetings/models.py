"""The local cache of meetings: scheduled and live meetings, past instances and attendees.

History is never deleted: the API answers only 60 days back, the cache keeps all it saw.
"""

from __future__ import annotations

from django.db import models


class MeetingType(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    SCHEDULED = "scheduled", "Scheduled"
    RECURRING = "recurring", "Recurring"


class Meeting(models.Model):
    """A meeting as scheduled at GoTo (upcoming, or running now when ``is_live``)."""

    meeting_id = models.BigIntegerField(unique=True)
    organizer = models.ForeignKey(
        "organizers.Organizer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    # The API's organizer key, kept so the link can be resolved once the organizer is cached.
    organizer_key = models.BigIntegerField(null=True, blank=True, db_index=True)
    subject = models.CharField(max_length=255)
    start_time = models.DateTimeField(db_index=True)
    end_time = models.DateTimeField()
    meeting_type = models.CharField(
        max_length=16, choices=MeetingType.choices, default=MeetingType.SCHEDULED
    )
    password_required = models.BooleanField(default=False)
    conference_call_info = models.CharField(max_length=255, blank=True)
    join_url = models.URLField(max_length=500, blank=True)
    unique_meeting_id = models.BigIntegerField(null=True, blank=True)
    max_participants = models.PositiveIntegerField(null=True, blank=True)
    is_live = models.BooleanField(default=False, db_index=True)
    # No longer upcoming at GoTo (deleted, or held and gone); kept for history links.
    removed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_time"]
        indexes = [
            # "My meetings" and an organizer's scheduled list, filtered by date.
            models.Index(fields=["organizer", "start_time"], name="meeting_organizer_start"),
        ]

    def __str__(self) -> str:
        return self.subject


class MeetingInstance(models.Model):
    """One held occurrence of a meeting (history), identified by its meeting instance key."""

    instance_key = models.BigIntegerField(unique=True)
    meeting_id = models.BigIntegerField(db_index=True)
    organizer = models.ForeignKey(
        "organizers.Organizer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instances",
    )
    # The API's organizer key, kept so the link can be resolved once the organizer is cached.
    organizer_key = models.BigIntegerField(null=True, blank=True, db_index=True)
    group = models.ForeignKey(
        "organizers.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instances",
    )
    subject = models.CharField(max_length=255)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=0)
    num_attendees = models.PositiveIntegerField(default=0)
    # Sum of attendees' minutes, kept with the instance so dashboards need not scan attendees.
    attendee_minutes = models.PositiveIntegerField(default=0)
    meeting_type = models.CharField(max_length=16, blank=True)
    conference_call_info = models.CharField(max_length=255, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    attendees_synced_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_time"]
        indexes = [
            models.Index(fields=["start_time"]),
            models.Index(fields=["group", "start_time"]),
            models.Index(fields=["organizer", "start_time"]),
            # Keyset pagination of the history table: ORDER BY start_time DESC, id DESC.
            models.Index(fields=["start_time", "id"], name="instance_start_id"),
            # MAX() of each is the dashboard cache's data version, read from the index
            # (meetings.selectors.instances_version; bench/).
            models.Index(fields=["synced_at"], name="instance_synced_at"),
            models.Index(fields=["attendees_synced_at"], name="instance_attendees_synced"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.start_time:%Y-%m-%d})"


class Attendee(models.Model):
    """One attendee's stay in a held meeting instance."""

    instance = models.ForeignKey(
        MeetingInstance, on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    join_time = models.DateTimeField()
    leave_time = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["join_time"]
        indexes = [
            # An instance's attendee list, keyset-paginated on (join_time, id).
            models.Index(fields=["instance", "join_time", "id"], name="attendee_instance_join"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instance", "email", "join_time"], name="attendee_unique_stay"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email
