"""A read-only Django admin page (superusers) for the personal access tokens (see
:mod:`portal.admin`). Only the visible prefix is shown, never the stored hash; people create and
revoke tokens on their profile page, audit-logged."""

from __future__ import annotations

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "owner", "created_at", "expires_at", "revoked_at")
    list_select_related = ("owner",)
    search_fields = ("owner__email", "prefix")
    exclude = ("secret_hash",)
    sortable_by = ("created_at",)
