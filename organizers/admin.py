"""Read-only Django admin pages (superusers) for the cached groups and organizers and the CSV
imports: changes go through the portal's pages and the sync (see :mod:`portal.admin`)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.admin import ReadOnlyAdmin

from .models import Group, ImportJob, ImportRow, Organizer


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "group_key", "parent", "status", "num_organizers", "synced_at")
    list_filter = ("status",)
    list_select_related = ("parent",)
    search_fields = ("name", "group_key__exact")
    sortable_by = ("name",)


@admin.register(Organizer)
class OrganizerAdmin(ReadOnlyAdmin):
    list_display = ("email", "first_name", "last_name", "organizer_key", "group", "status")
    list_filter = ("status", ("deleted_at", admin.EmptyFieldListFilter), "group")
    list_select_related = ("group",)
    search_fields = ("email", "first_name", "last_name", "organizer_key__exact")
    sortable_by = ("email",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "filename", "status", "created_by", "created_at", "finished_at", "lines")
    list_filter = ("status",)
    list_select_related = ("created_by",)
    search_fields = ("filename", "created_by__email")
    date_hierarchy = "created_at"
    sortable_by = ("created_at",)

    @admin.display(description="lines")
    def lines(self, job: ImportJob) -> str:
        """A link to the job's lines (up to the upload's 5,000: a list, not inlined here)."""
        url = reverse("admin:organizers_importrow_changelist")
        return format_html('<a href="{}?job__id__exact={}">lines</a>', url, job.pk)


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdmin):
    list_display = ("job", "line_number", "email", "outcome", "error", "processed_at")
    list_filter = ("outcome",)
    list_select_related = ("job",)
    search_fields = ("email", "job__id__exact")
    sortable_by = ()
