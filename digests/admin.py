"""Read-only Django admin pages (superusers) for the digest subscriptions and the digests sent
(see :mod:`portal.admin`); people subscribe and unsubscribe on their profile page, audit-logged."""

from __future__ import annotations

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import DigestSubscription, SentDigest


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "frequency", "timezone", "group", "active", "updated_at")
    list_filter = ("frequency", "active")
    list_select_related = ("user", "group")
    search_fields = ("user__email",)
    sortable_by = ("updated_at",)


@admin.register(SentDigest)
class SentDigestAdmin(ReadOnlyAdmin):
    list_display = ("user", "frequency", "period_start", "period_end", "status", "attempts")
    list_filter = ("frequency", "status")
    list_select_related = ("user",)
    search_fields = ("recipient",)
    date_hierarchy = "created_at"
    sortable_by = ("created_at",)
