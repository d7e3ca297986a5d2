"""The Django admin (superusers): users, and read-only pages for the audit log, whose GoTo token
the portal holds (when it expires; the token values are never shown) and the service
connection. Changes go through the portal's pages, whose services audit-log them."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from portal.admin import ReadOnlyAdmin

from .models import AuditEntry, ServiceConnection, StoredToken, User


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
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: audit entries are never added, changed or deleted by hand."""

    list_display = ("created_at", "actor_label", "action", "target_type", "target_label", "outcome")
    list_filter = ("outcome", "action", "target_type")
    search_fields = ("actor_label", "action", "target_label", "target_id", "detail", "request_id")
    date_hierarchy = "created_at"
    sortable_by = ("created_at",)


@admin.register(StoredToken)
class StoredTokenAdmin(ReadOnlyAdmin):
    """Whose GoTo token the portal holds and until when; never the token itself."""

    fields = ("user", "organizer_key", "expires_at", "updated_at")
    list_display = ("user", "organizer_key", "expires_at", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    ordering = ("user__email",)


@admin.register(ServiceConnection)
class ServiceConnectionAdmin(ReadOnlyAdmin):
    """The Admin whose token background work uses (chosen on the Service connection page)."""

    list_display = ("admin", "last_ok_at", "last_error", "updated_at")
    list_select_related = ("admin",)
