"""The Django admin (superusers): users, and the audit log read-only. Tokens are not shown."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEntry, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "username", "role", "portal_access", "is_staff", "last_login")
    list_filter = ("role", "portal_access", "is_staff", "is_superuser")
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Portal (change on the portal's Roles page, which audit-logs it)",
            {"fields": ("role", "portal_access", "managed_groups")},
        ),
        ("GoTo", {"fields": ("organizer_key", "account_key")}),
    )
    # Roles and access change only through accounts.services (audit entry, sessions ended).
    readonly_fields = ("role", "portal_access", "managed_groups", "organizer_key", "account_key")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: audit entries are never added, changed or deleted by hand."""

    list_display = ("created_at", "actor_label", "action", "target_type", "target_label", "outcome")
    list_filter = ("outcome", "action", "target_type")
    search_fields = ("actor_label", "action", "target_label", "target_id", "detail", "request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
