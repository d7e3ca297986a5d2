"""A read-only Django admin page (superusers) for the sync runs, beside the portal's Sync page
(see :mod:`portal.admin`)."""

from __future__ import annotations

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "area",
        "key",
        "outcome",
        "started_at",
        "finished_at",
        "rows_created",
        "rows_updated",
        "api_calls",
        "triggered_by",
    )
    list_filter = ("area", "outcome")
    search_fields = ("key", "error", "triggered_by")
    date_hierarchy = "started_at"
    sortable_by = ("started_at",)
