"""Pages of the organizers and groups area (Admins only). Thin: a form, a service or a
selector, a template. Write actions go through :mod:`organizers.services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from portal import scoping
from portal.api_outcomes import outcome_note
from portal.export import export_refused, wanted_export
from portal.page_cache import cached_page
from portal.permissions import ADMIN, role_required

from . import selectors, services
from .forms import BulkActionForm, ImportUploadForm, OrganizerFilter, OrganizerInviteForm
from .models import ImportJob, Organizer
from .tables import ImportResultTable, OrganizerTable

PAGE_SIZE = 50


def _client(request: HttpRequest):
    """The signed-in Admin's GoTo client. No usable sign-in raises ``TokenRevoked``, and so
    does a refused token met by a service: ``GoToSessionEndedMiddleware`` signs the user out,
    the same way from every view (no view catches it)."""
    from accounts.connections import client_for_user

    return client_for_user(request.user)


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _organizer(request: HttpRequest, pk: int) -> Organizer:
    return get_object_or_404(selectors.organizers_with_last_meeting(request.user), pk=pk)


# --- lists ------------------------------------------------------------------------------------


def _list_version(request: HttpRequest) -> tuple:
    return selectors.organizers_list_version()


@role_required(*ADMIN)
@cached_page(_list_version)
def organizer_list(request: HttpRequest) -> HttpResponse:
    filterset = OrganizerFilter(
        request.GET,
        queryset=selectors.organizers_with_last_meeting(request.user),
        groups=scoping.visible_groups(request.user),
    )
    valid = filterset.is_valid()
    organizers = filterset.qs if valid else Organizer.objects.none()
    export = wanted_export(request)
    if export and not valid:
        return export_refused(filterset.errors)
    table = OrganizerTable(
        next_url=request.get_full_path(),
        query=request.GET,
        current_sort=request.GET.get("sort", ""),
    )
    if export:
        return table.export_response(
            export, "organizers", organizers.iterator(chunk_size=500), sheet_name="Organizers"
        )
    page = Paginator(organizers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organizers/organizer_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "organizers": page.object_list,
            "table": table,
            "rows": table.rows_html(page.object_list),
            "filtered": bool(request.GET.keys() - {"page", "sort"}),
        },
    )


@role_required(*ADMIN)
def group_list(request: HttpRequest) -> HttpResponse:
    nodes = selectors.group_tree(request.user)
    synced = [n.group.synced_at for n in nodes if n.group.synced_at]
    return render(
        request,
        "organizers/group_list.html",
        {"nodes": nodes, "synced_at": min(synced) if synced else None},
    )


@role_required(*ADMIN)
def organizer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organizer = _organizer(request, pk)
    return render(
        request,
        "organizers/organizer_detail.html",
        {"detail": selectors.organizer_detail(organizer=organizer), "organizer": organizer},
    )


# --- invite and re-check -----------------------------------------------------------------------


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def organizer_invite(request: HttpRequest) -> HttpResponse:
    groups = scoping.visible_groups(request.user)
    data = request.POST if request.method == "POST" else None
    form = OrganizerInviteForm(data, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            organizer = services.organizer_invite(
                client=_client(request), acting_user=request.user, **form.cleaned_data
            )
        except services.OrganizerActionError as exc:
            form.add_error(None, exc.message)
        else:
            state = "pending confirmation" if organizer.is_pending else "active"
            done = f"Invited {organizer.email} ({state}). {outcome_note(organizer)}"
            messages.success(request, done.strip())
            return redirect("organizers:detail", pk=organizer.pk)
    return render(request, "organizers/organizer_invite.html", {"form": form}, status=200)


# --- single actions: a confirmation page (GET) and the action (POST) ------------------------------

ACTIONS = {
    "recheck": {
        "service": services.organizer_recheck,
        "title": "Re-check organizer",
        "question": "Ask GoTo for the current state of {label}?",
        "warning": "",
        "button": "Re-check",
        "danger": False,
    },
    "suspend": {
        "service": services.organizer_suspend,
        "title": "Suspend organizer",
        "question": "Suspend {label}?",
        "warning": "They will no longer be able to host meetings; their history is kept.",
        "button": "Suspend",
        "danger": True,
    },
    "reactivate": {
        "service": services.organizer_reactivate,
        "title": "Reactivate organizer",
        "question": "Reactivate {label}?",
        "warning": "They will be able to host meetings again (uses a licence).",
        "button": "Reactivate",
        "danger": False,
    },
    "delete": {
        "service": services.organizer_delete,
        "title": "Delete organizer",
        "question": "Delete {label}?",
        "warning": "This cannot be undone. GoTo deletes the organizer; the portal keeps their "
        "past meetings.",
        "button": "Delete",
        "danger": True,
    },
}

DONE = {
    "recheck": "Re-checked {label}: {state}.",
    "suspend": "Suspended {label}.",
    "reactivate": "Reactivated {label}.",
    "delete": "Deleted {label}.",
}


def _label(organizer: Organizer) -> str:
    return f"{organizer.full_name} ({organizer.email})" if organizer.full_name else organizer.email


def _organizer_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    organizer = _organizer(request, pk)
    spec = ACTIONS[name]
    label = _label(organizer)
    if name == "delete" and organizer.is_pending:
        label = f"the pending invitation of {organizer.email} (deleted by email)"
    default_next = reverse("organizers:detail", args=[organizer.pk])
    if request.method == "GET":
        return render(
            request,
            "organizers/confirm.html",
            {
                "organizer": organizer,
                "title": spec["title"],
                "question": spec["question"].format(label=label),
                "warning": spec["warning"],
                "button": spec["button"],
                "danger": spec["danger"],
                "next": _next_url(request, default_next),
            },
        )
    error = note = ""
    level = messages.ERROR
    try:
        organizer = spec["service"](
            client=_client(request), organizer=organizer, acting_user=request.user
        )
        note = outcome_note(organizer)
    except services.OrganizerActionError as exc:
        error, level = exc.message, exc.level
    if request.htmx and request.POST.get("swap") != "page":
        row = _organizer(request, pk)
        done = DONE[name].format(label=label, state=_state(row))
        table = OrganizerTable(
            next_url=request.htmx.current_url_abs_path or reverse("organizers:list"),
            error=error,
            message="" if error else f"{done} {note}".strip(),
        )
        return HttpResponse(table.row_html(row))
    if error:
        messages.add_message(request, level, error)
    else:
        done = DONE[name].format(label=label, state=_state(organizer))
        messages.success(request, f"{done} {note}".strip())
    return redirect(_next_url(request, default_next))


def _state(organizer: Organizer) -> str:
    if organizer.is_pending:
        return "still pending confirmation"
    return f"confirmed, key {organizer.organizer_key}, {organizer.status}"


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def organizer_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    return _organizer_action(request, pk, "recheck")


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def organizer_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _organizer_action(request, pk, "suspend")


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def organizer_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _organizer_action(request, pk, "reactivate")


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def organizer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _organizer_action(request, pk, "delete")


# --- bulk -------------------------------------------------------------------------------------


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def bulk_action(request: HttpRequest) -> HttpResponse:
    list_url = reverse("organizers:list")
    if request.method == "GET":
        return redirect(list_url)
    back = _next_url(request, list_url)
    form = BulkActionForm(
        request.POST,
        organizers=scoping.visible_organizers(request.user).filter(deleted_at__isnull=True),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    chosen = list(form.cleaned_data["organizers"].order_by("last_name", "first_name", "email"))
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "organizers/bulk_confirm.html",
            {"action": action, "organizers": chosen, "next": back},
        )
    service = (
        services.organizers_suspend_bulk
        if action == "suspend"
        else services.organizers_reactivate_bulk
    )
    result = service(client=_client(request), organizers=chosen, acting_user=request.user)
    verb = "Suspended" if action == "suspend" else "Reactivated"
    if result.succeeded:
        messages.success(request, f"{verb} {len(result.succeeded)} organizer(s).")
    for outcome in result.failed:
        text = outcome.message
        if not text.startswith("Could not"):
            text = f"{_label(outcome.organizer)}: {text}"
        messages.error(request, text)
    return redirect(back)


# --- bulk import ---------------------------------------------------------------------------------


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        job = services.organizers_import_prepare(
            parsed=form.parsed, filename=form.cleaned_data["file"].name, acting_user=request.user
        )
        return redirect("organizers:import_preview", pk=job.pk)
    recent = ImportJob.objects.select_related("created_by")[:10]
    return render(request, "organizers/import_upload.html", {"form": form, "recent": recent})


def _job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


@role_required(*ADMIN)
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    if request.method == "POST":
        # A person starting it must hold a GoTo sign-in (none: the middleware signs them
        # out); the task itself may fall back to the service connection.
        _client(request)
        try:
            job = services.organizers_import_start(job=job, acting_user=request.user)
        except services.ImportEnqueueError as exc:
            messages.error(request, exc.message)
            return redirect("organizers:import_preview", pk=job.pk)
        return redirect("organizers:import_progress", pk=job.pk)
    if job.is_active:
        return redirect("organizers:import_progress", pk=job.pk)
    return render(
        request,
        "organizers/import_preview.html",
        {
            "job": job,
            "rows": job.rows.select_related("group"),
            "counts": selectors.import_progress(job),
        },
    )


@role_required(*ADMIN)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    context = {"job": job, "counts": selectors.import_progress(job)}
    if request.htmx:
        return render(request, "organizers/_import_progress.html", context)
    return render(request, "organizers/import_progress.html", context)


@role_required(*ADMIN)
def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(pk)
    return render(
        request,
        "organizers/import_result.html",
        {
            "job": job,
            "rows": ImportResultTable().rows_html(job.rows.select_related("group", "organizer")),
            "table": ImportResultTable(),
            "counts": selectors.import_progress(job),
        },
    )
