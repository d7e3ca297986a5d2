"""Read-only Django admin pages (superusers) for the meetings cache and the dashboard's roll-ups,
to look at what the sync wrote (see :mod:`portal.admin`). These tables reach millions of rows
(attendees, roll-up cells): lists are ordered by an index and sortable only by it, filters
are on small choice fields only, and the roll-ups' binary columns (quarter-hour slots, sets
of people) are never shown."""

from __future__ import annotations

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import (
    AccountDay,
    AccountMonth,
    Attendee,
    GroupDay,
    GroupMonth,
    Meeting,
    MeetingInstance,
    OrganizerDay,
    OrganizerMonth,
    OrganizerRunning,
    Person,
    RollupCursor,
)

BINARY = ("slots", "people")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("subject", "meeting_id", "organizer", "start_time", "meeting_type", "is_live")
    list_filter = ("meeting_type", "is_live")
    list_select_related = ("organizer",)
    search_fields = ("subject", "meeting_id__exact")
    sortable_by = ("start_time",)


@admin.register(MeetingInstance)
class MeetingInstanceAdmin(ReadOnlyAdmin):
    list_display = (
        "subject",
        "instance_key",
        "organizer",
        "group",
        "start_time",
        "duration_minutes",
        "num_attendees",
    )
    list_filter = ("meeting_type",)
    list_select_related = ("organizer", "group")
    # Exact keys only: a substring search would scan every instance.
    search_fields = ("instance_key__exact", "meeting_id__exact")
    ordering = ("-start_time", "-id")  # the (start_time, id) index
    sortable_by = ("start_time",)


@admin.register(Attendee)
class AttendeeAdmin(ReadOnlyAdmin):
    list_display = ("name", "email", "instance", "join_time", "leave_time", "duration_minutes")
    list_select_related = ("instance",)
    # The email index (exact), or the held meeting's key.
    search_fields = ("email__exact", "instance__instance_key__exact")
    ordering = ("-id",)  # the primary key: join_time alone has no index
    sortable_by = ()


class RollupAdmin(ReadOnlyAdmin):
    exclude = BINARY
    ordering = ("-id",)
    sortable_by = ()


@admin.register(Person)
class PersonAdmin(RollupAdmin):
    list_display = ("id", "email")
    search_fields = ("email__exact",)


@admin.register(OrganizerDay)
class OrganizerDayAdmin(RollupAdmin):
    list_display = ("day", "organizer", "group", "meetings", "attendees", "attendee_minutes")
    list_select_related = ("organizer", "group")
    search_fields = ("organizer__email__exact",)


@admin.register(OrganizerMonth)
class OrganizerMonthAdmin(RollupAdmin):
    list_display = ("month", "organizer", "group", "meetings", "attendees", "attendee_minutes")
    list_select_related = ("organizer", "group")
    search_fields = ("organizer__email__exact",)


@admin.register(OrganizerRunning)
class OrganizerRunningAdmin(RollupAdmin):
    list_display = ("month", "organizer", "group", "meetings", "attendee_minutes")
    list_select_related = ("organizer", "group")
    search_fields = ("organizer__email__exact",)


@admin.register(GroupDay)
class GroupDayAdmin(RollupAdmin):
    list_display = ("day", "group", "meetings", "attendees", "attendee_minutes")
    list_select_related = ("group",)
    search_fields = ("group__name",)


@admin.register(GroupMonth)
class GroupMonthAdmin(RollupAdmin):
    list_display = ("month", "group")
    list_select_related = ("group",)
    search_fields = ("group__name",)


@admin.register(AccountDay)
class AccountDayAdmin(RollupAdmin):
    list_display = ("day", "meetings", "attendees", "attendee_minutes")


@admin.register(AccountMonth)
class AccountMonthAdmin(RollupAdmin):
    list_display = ("month",)


@admin.register(RollupCursor)
class RollupCursorAdmin(RollupAdmin):
    list_display = ("name", "next_day", "last_day", "updated_at")
