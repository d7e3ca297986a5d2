"""The Sync status page's table of recent runs, declared once (:mod:`portal.tables`).

Rows are the runs of :func:`sync.selectors.status_overview` (each with its ``scope_label``
and ``duration_text``). The export values are typed, for a download of the runs.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from portal.tables import Column, Export, Table

from .models import SyncOutcome, SyncRun

ERROR_CHARS = 300


def _window(run: SyncRun) -> str:
    if not run.window_start:
        return ""
    start = timezone.localtime(run.window_start)
    end = f"{timezone.localtime(run.window_end):%Y-%m-%d %H:%M}" if run.window_end else "…"
    return f"{start:%Y-%m-%d} → {end}"


def _outcome(run: SyncRun):
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

    links = {"run": ("sync:run_fragment", "pk")}
    columns = (
        Column(
            "Started",
            html='<a title="{iso}" href="{run}">{started}</a>',
            td="nowrap",
            exports=(Export("started", lambda r: r.started_at),),
        ),
        Column("Area", html="{area}", exports=(Export("area", lambda r: r.area),)),
        Column("Scope", html="{scope}", exports=(Export("scope", lambda r: r.scope_label),)),
        Column(
            "Window",
            html="{window}",
            td="nowrap",
            exports=(
                Export("window start", lambda r: r.window_start),
                Export("window end", lambda r: r.window_end),
            ),
        ),
        Column(
            "Outcome",
            html="{outcome}",
            exports=(
                Export("outcome", lambda r: r.outcome),
                Export("error", lambda r: r.error),
            ),
        ),
        Column("Created", html="{created}", exports=(Export("created", lambda r: r.rows_created),)),
        Column("Updated", html="{updated}", exports=(Export("updated", lambda r: r.rows_updated),)),
        Column(
            "API calls", html="{api_calls}", exports=(Export("API calls", lambda r: r.api_calls),)
        ),
        Column(
            "Took", html="{took}", td="nowrap", exports=(Export("took", lambda r: r.duration_text),)
        ),
        Column("By", html="{by}", exports=(Export("by", lambda r: r.triggered_by),)),
    )

    def fields(self, run: SyncRun) -> dict:
        local = timezone.localtime(run.started_at)
        return {
            "pk": run.pk,
            "iso": local.isoformat(),
            "started": f"{local:%Y-%m-%d %H:%M:%S}",
            "area": run.get_area_display(),
            "scope": run.scope_label,
            "window": _window(run),
            "outcome": _outcome(run),
            "created": run.rows_created,
            "updated": run.rows_updated,
            "api_calls": run.api_calls,
            "took": run.duration_text,
            "by": run.triggered_by,
        }
