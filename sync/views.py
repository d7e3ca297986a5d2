"""The Sync status page (Admins): freshness per area, recent runs, worker and connection,
and "Refresh now" per area with its progress (htmx polls the run)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from digests.selectors import digest_activity
from portal.permissions import ADMIN, role_required

from . import selectors
from .forms import SyncRefreshForm
from .models import SyncArea, SyncRun
from .services import SyncUnavailable, sync_trigger
from .tables import SyncRunTable

QUEUE_DOWN = (
    "Could not start the refresh: the task queue (Redis) is unreachable. "
    "The pages keep showing the data synced so far."
)


@role_required(*ADMIN)
@require_GET
def sync_status(request: HttpRequest) -> HttpResponse:
    overview = selectors.status_overview(page_number=request.GET.get("page"))
    table = SyncRunTable()
    return render(
        request,
        "sync/status.html",
        {
            "overview": overview,
            "digests": digest_activity(),
            "runs_table": table,
            "runs_rows": table.rows_html(overview.runs.object_list),
        },
    )


@role_required(*ADMIN)
@require_POST
def sync_refresh(request: HttpRequest) -> HttpResponse:
    form = SyncRefreshForm(request.POST)
    if not form.is_valid():
        message = "Choose one of the sync areas to refresh."
        if request.htmx:
            return render(request, "sync/_message.html", {"level": "error", "text": message})
        messages.error(request, message)
        return redirect("sync:status")
    area = SyncArea(form.cleaned_data["area"])
    try:
        result = sync_trigger(area=area, acting_user=request.user)
    except SyncUnavailable:
        if request.htmx:
            return render(request, "sync/_message.html", {"level": "error", "text": QUEUE_DOWN})
        messages.error(request, QUEUE_DOWN)
        return redirect("sync:status")
    if result.already_running:
        text = f"{area.label}: a sync is already running; it was not started twice."
        if request.htmx:
            return render(request, "sync/_message.html", {"level": "warning", "text": text})
        messages.warning(request, text)
        return redirect("sync:status")
    if request.htmx:
        return _progress(request, result.run)
    messages.success(request, f"{area.label}: refresh queued.")
    return redirect("sync:run_fragment", pk=result.run.pk)


@role_required(*ADMIN)
@require_GET
def run_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_to_show(run=get_object_or_404(SyncRun, pk=pk))
    if request.htmx:
        return _progress(request, run)
    return render(request, "sync/run.html", _progress_context(run))


def _progress(request: HttpRequest, run: SyncRun) -> HttpResponse:
    return render(request, "sync/_run_progress.html", _progress_context(run))


def _progress_context(run: SyncRun) -> dict:
    return {"run": run, "waiting": selectors.run_is_waiting(run=run)}
