"""The Sync status page's table of recent runs, declared once (:mod:`portal.tables`).

Rows are the runs of :func:`sync.selectors.status_overview` (each with its ``scope_label``
and ``duration_text``). The export values are typed, for a download of the runs.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from portal.tables import Column, Export, Table

from .models import SyncOutcome, SyncRun

ERROR_CHARS = 300


def _started(table: SyncRunTable, run: SyncRun) -> tuple:
    local = timezone.localtime(run.started_at)
    return (
        local.isoformat(),
        reverse("sync:run_fragment", args=[run.pk]),
        f"{local:%Y-%m-%d %H:%M:%S}",
    )


def _window(table: SyncRunTable, run: SyncRun) -> str:
    if not run.window_start:
        return ""
    start = timezone.localtime(run.window_start)
    end = f"{timezone.localtime(run.window_end):%Y-%m-%d %H:%M}" if run.window_end else "…"
    return f"{start:%Y-%m-%d} → {end}"


def _outcome(table: SyncRunTable, run: SyncRun):
    error = Truncator(run.error).chars(ERROR_CHARS)
    if run.deferred:
        return format_html(
            '<span class="badge badge-skipped">Deferred</span><div class="muted">{}</div>', error
        )
    parts = format_html(
        '<span class="badge badge-{}">{}</span>', run.outcome, run.get_outcome_display()
    )
    if run.outcome == SyncOutcome.RUNNING:
        parts += format_html(
            '<progress value="{}" max="100">{}%</progress>', run.progress, run.progress
        )
    if run.error and run.outcome != SyncOutcome.SKIPPED:
        parts += format_html('<div class="sync-error">{}</div>', error)
    return parts


class SyncRunTable(Table):
    """When a run started, what it synced, how it went, what it wrote and cost."""

    columns = (
        Column(
            "Started",
            cell=_started,
            html='<a title="{}" href="{}">{}</a>',
            td="nowrap",
            exports=(Export("started", lambda r: r.started_at),),
        ),
        Column(
            "Area",
            cell=lambda t, r: r.get_area_display(),
            exports=(Export("area", lambda r: r.area),),
        ),
        Column(
            "Scope",
            cell=lambda t, r: r.scope_label,
            exports=(Export("scope", lambda r: r.scope_label),),
        ),
        Column(
            "Window",
            cell=_window,
            td="nowrap",
            exports=(
                Export("window start", lambda r: r.window_start),
                Export("window end", lambda r: r.window_end),
            ),
        ),
        Column(
            "Outcome",
            cell=_outcome,
            exports=(
                Export("outcome", lambda r: r.outcome),
                Export("error", lambda r: r.error),
            ),
        ),
        Column(
            "Created",
            cell=lambda t, r: r.rows_created,
            exports=(Export("created", lambda r: r.rows_created),),
        ),
        Column(
            "Updated",
            cell=lambda t, r: r.rows_updated,
            exports=(Export("updated", lambda r: r.rows_updated),),
        ),
        Column(
            "API calls",
            cell=lambda t, r: r.api_calls,
            exports=(Export("API calls", lambda r: r.api_calls),),
        ),
        Column(
            "Took",
            cell=lambda t, r: r.duration_text,
            td="nowrap",
            exports=(Export("took", lambda r: r.duration_text),),
        ),
        Column(
            "By",
            cell=lambda t, r: r.triggered_by,
            exports=(Export("by", lambda r: r.triggered_by),),
        ),
    )
