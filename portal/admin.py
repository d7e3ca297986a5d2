"""What every read-only page of the Django admin shares (``/django-admin/``, superusers only).

The portal changes its data through services that audit-log every change (and the sync writes
the cache): the Django admin only lets a superuser *look* at rows when something needs
explaining (a failed sync run, an import, a cached meeting). So these pages add, change and
delete nothing, and stay fast on tables of millions of rows (attendees, roll-up cells):

- no full count of the table (``show_full_result_count = False``), and for an unfiltered list
  PostgreSQL's estimate of the row count instead of ``COUNT(*)`` (:class:`EstimatedCountPaginator`);
- sorting only where the model's ordering is indexed (``sortable_by``), filters only on small
  choice fields and dates, never on a foreign key with thousands of targets;
- foreign keys read with the list (``list_select_related``), shown as links to their page.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection, models
from django.utils.functional import cached_property

# Below this many rows the exact count is cheap, so the estimate is not used.
EXACT_COUNT_BELOW = 100_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered table from PostgreSQL's statistics (``pg_class.reltuples``, kept by
    ANALYZE and autovacuum) once it is large: the admin's pager then shows "about N" pages
    without scanning millions of rows. Filtered lists and other databases count exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if connection.vendor == "postgresql" and query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] >= EXACT_COUNT_BELOW:
                return int(row[0])
        return super().count


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model shown in the Django admin, never changed there."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    list_max_show_all = 200  # "Show all" only for lists this short
    # A link without a scheme is an https one (GoTo's join links); Django 6's default too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}  # no bulk "delete selected"
