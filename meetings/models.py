"""The local cache of meetings: scheduled and live meetings, past instances and attendees.

History is never deleted: the API answers only 60 days back, the cache keeps all it saw.
"""

from __future__ import annotations

from django.db import models

# Attendees-per-meeting histogram: (label, lowest, highest or None for "and more"). Here, next
# to the roll-up cells that keep one count per bucket (``bucket_0`` …).
ATTENDEE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0", 0, 0),
    ("1", 1, 1),
    ("2–5", 2, 5),
    ("6–10", 6, 10),
    ("11–25", 11, 25),
    ("26–50", 26, 50),
    ("51–100", 51, 100),
    ("over 100", 101, None),
)


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


# --- Roll-ups (meetings/rollups.py keeps them; the dashboard reads them) ----------------------


class Person(models.Model):
    """A distinct attendee, by lower-cased email: ``id`` is the stable number that stands for
    them in the roll-ups' sets of people (Roaring bitmaps of 32-bit ids). Never deleted."""

    email = models.CharField(max_length=254, unique=True)

    def __str__(self) -> str:
        return self.email


class _DayCell(models.Model):
    """What the dashboard shows of some meetings held on one UTC day, summed once.

    ``slots``: meetings started in each quarter-hour of the UTC day (96 little-endian uint32),
    so any time zone's local day and hour can be rebuilt exactly (every zone's offset is a
    multiple of 15 minutes). ``people``: the serialized Roaring bitmap of :class:`Person` ids
    of the attendees (unioned, never summed). ``bucket_i``: meetings per ATTENDEE_BUCKETS bucket.
    """

    day = models.DateField()
    meetings = models.PositiveIntegerField(default=0)
    duration = models.BigIntegerField(default=0)
    attendees = models.BigIntegerField(default=0)
    attendee_minutes = models.BigIntegerField(default=0)
    bucket_0 = models.PositiveIntegerField(default=0)
    bucket_1 = models.PositiveIntegerField(default=0)
    bucket_2 = models.PositiveIntegerField(default=0)
    bucket_3 = models.PositiveIntegerField(default=0)
    bucket_4 = models.PositiveIntegerField(default=0)
    bucket_5 = models.PositiveIntegerField(default=0)
    bucket_6 = models.PositiveIntegerField(default=0)
    bucket_7 = models.PositiveIntegerField(default=0)
    slots = models.BinaryField()
    people = models.BinaryField()

    class Meta:
        abstract = True


class OrganizerDay(_DayCell):
    """The meetings of one organizer in one group (the instance's own group) on one UTC day."""

    organizer = models.ForeignKey(
        "organizers.Organizer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["day", "organizer"], name="orgday_day_organizer"),
            models.Index(fields=["organizer", "day"], name="orgday_organizer_day"),
            models.Index(fields=["group", "day"], name="orgday_group_day"),
        ]

    def __str__(self) -> str:
        return f"organizer {self.organizer_id}, group {self.group_id}, {self.day}"


class OrganizerMonth(models.Model):
    """An organizer's :class:`OrganizerDay` cells of one calendar month (UTC) in one group,
    summed (no slots, no people: those come from :class:`GroupDay`): a year's top organizers
    read twelve rows per organizer and the days of the partial months, not one per day.
    ``month``: its first day."""

    organizer = models.ForeignKey(
        "organizers.Organizer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField()
    meetings = models.PositiveIntegerField(default=0)
    duration = models.BigIntegerField(default=0)
    attendees = models.BigIntegerField(default=0)
    attendee_minutes = models.BigIntegerField(default=0)
    bucket_0 = models.PositiveIntegerField(default=0)
    bucket_1 = models.PositiveIntegerField(default=0)
    bucket_2 = models.PositiveIntegerField(default=0)
    bucket_3 = models.PositiveIntegerField(default=0)
    bucket_4 = models.PositiveIntegerField(default=0)
    bucket_5 = models.PositiveIntegerField(default=0)
    bucket_6 = models.PositiveIntegerField(default=0)
    bucket_7 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["month", "organizer"], name="orgmonth_month_organizer"),
            models.Index(fields=["organizer", "month"], name="orgmonth_organizer_month"),
        ]

    def __str__(self) -> str:
        return f"organizer {self.organizer_id}, group {self.group_id}, {self.month:%Y-%m}"


class OrganizerRunning(models.Model):
    """Running totals of an organizer's :class:`OrganizerMonth` sums in one group: the meetings
    and attendee-minutes of every month up to and including ``month`` (its first day).

    Dense: a row for every month from the pair's first month to the last month any
    OrganizerMonth row has, so the sums of a run of months are one row less another per
    organizer, however long the run: a year's top organizers at 5,000 organizers read ~10,000
    rows here, not ~60,000 OrganizerMonth rows (bench/growth.py)."""

    organizer = models.ForeignKey(
        "organizers.Organizer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField()
    meetings = models.BigIntegerField(default=0)
    attendee_minutes = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["month", "organizer"], name="orgrun_month_organizer"),
            models.Index(fields=["organizer", "month"], name="orgrun_organizer_month"),
        ]

    def __str__(self) -> str:
        return f"organizer {self.organizer_id}, group {self.group_id}, up to {self.month:%Y-%m}"


class GroupDay(_DayCell):
    """The union of a group's :class:`OrganizerDay` cells of one UTC day: a year of the whole
    account reads one row per group and day, not one per organizer and day."""

    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["day", "group"], name="groupday_day_group"),
            models.Index(fields=["group", "day"], name="groupday_group_day"),
        ]

    def __str__(self) -> str:
        return f"group {self.group_id}, {self.day}"


class GroupMonth(models.Model):
    """Everyone who attended a meeting of one group in one calendar month (UTC): the union of
    its :class:`GroupDay` sets, so a year's unique attendees read 12 sets per group, not 365
    (20 MB of bitmaps for a year of 5,000 organizers, 0.2 s just to fetch; bench/)."""

    group = models.ForeignKey(
        "organizers.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField()
    people = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["month", "group"], name="groupmonth_month_group")]

    def __str__(self) -> str:
        return f"group {self.group_id}, {self.month:%Y-%m}"


class AccountDay(_DayCell):
    """The union of every :class:`GroupDay` cell of one UTC day (meetings of no group
    included): the whole account's dashboard reads one row per day, however many groups the
    account has (a year of 12 groups read 4,400 GroupDay rows, a third of a cold dashboard's
    time at 1M attendee rows; bench/growth.py)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], name="accountday_day")]

    def __str__(self) -> str:
        return f"account, {self.day}"


class AccountMonth(models.Model):
    """Everyone who attended a meeting of the account in one calendar month (UTC): the union
    of its :class:`AccountDay` sets. ``month``: its first day."""

    month = models.DateField(unique=True)
    people = models.BinaryField()

    def __str__(self) -> str:
        return f"account, {self.month:%Y-%m}"


class RollupCursor(models.Model):
    """Where an interrupted roll-up rebuild continues (``manage.py rollups_rebuild``)."""

    name = models.CharField(max_length=32, unique=True)
    next_day = models.DateField()
    last_day = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.next_day} of {self.last_day}"
