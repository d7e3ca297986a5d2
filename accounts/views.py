"""Pages of the accounts area: roles and portal access, and the audit log (Admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from portal.export import export_refused, wanted_export
from portal.permissions import ADMIN, RoleRequiredMixin

from . import selectors, services
from .connections import service_connection_status
from .forms import ServiceConnectionForm, UserAccessForm, audit_log_filter
from .models import Role
from .tables import AuditLogTable

USERS_PER_PAGE = 50
ENTRIES_PER_PAGE = 50


class RolesView(RoleRequiredMixin, View):
    """Every user with a form to set their role, portal access and (Managers) groups."""

    allowed_roles = ADMIN

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.user_list_for_roles(), USERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        rows = [(user, UserAccessForm.for_user(user)) for user in page]
        return render(request, "accounts/roles.html", {"page": page, "rows": rows})


class RoleUpdateView(RoleRequiredMixin, View):
    """One user's role and access: GET shows the form, POST saves it (from here or the list)."""

    allowed_roles = ADMIN

    def _user(self, pk: int):
        user = selectors.user_get_for_roles(pk=pk)
        if user is None:
            raise Http404("No such user.")
        return user

    def _render(self, request, user, form, status=200) -> HttpResponse:
        return render(
            request,
            "accounts/role_edit.html",
            {"subject": user, "form": form, "next": self._next(request)},
            status=status,
        )

    def _next(self, request: HttpRequest) -> str:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self._user(pk)
        return self._render(request, user, UserAccessForm.for_user(user))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self._user(pk)
        form = UserAccessForm.for_user(user, data=request.POST)
        if not form.is_valid():
            messages.error(request, f"Nothing was changed for {user.email}: see the errors below.")
            return self._render(request, user, form, status=400)
        try:
            user = services.user_access_update(
                user=user,
                role=form.cleaned_data["role"],
                portal_access=form.cleaned_data["portal_access"],
                managed_groups=form.cleaned_data["managed_groups"],
                acting_user=request.user,
            )
        except services.AccessChangeRefused as exc:
            form.add_error(None, str(exc))
            messages.error(request, str(exc))
            return self._render(request, user, form, status=400)

        if user.pk == request.user.pk and not user.portal_access:
            logout(request)  # their sessions are gone already; start a fresh anonymous one
            messages.info(request, "You revoked your own portal access and were signed out.")
            return redirect("account_login")
        access = "on" if user.portal_access else "off"
        messages.success(
            request, f"Saved {user.email}: {user.get_role_display()}, portal access {access}."
        )
        if user.pk == request.user.pk and user.role != Role.ADMIN:
            return redirect("home")
        return redirect(self._next(request) or "accounts:roles")


class AuditLogView(RoleRequiredMixin, View):
    """The audit log with filters, paginated; ``?export=csv`` (or ``xlsx``) downloads what the
    filters show."""

    allowed_roles = ADMIN

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = audit_log_filter(request.GET)
        entries = selectors.audit_entries(filterset)
        invalid = filterset.is_bound and not filterset.is_valid()
        export = wanted_export(request)
        if export:
            if invalid:
                return export_refused(filterset.errors)
            return AuditLogTable().export_response(
                export,
                f"audit-log-{timezone.now():%Y%m%d-%H%M}",
                selectors.audit_export_rows(entries),
                sheet_name="Audit log",
            )
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/audit_log.html",
            {
                "filter": filterset,
                "page": page,
                "invalid": invalid,
                "table": AuditLogTable(),
                "rows": AuditLogTable().rows_html(page.object_list),
            },
            status=400 if invalid else 200,
        )


class ServiceConnectionView(RoleRequiredMixin, View):
    """Choose the Admin whose GoTo token background work uses, and test that it works."""

    allowed_roles = ADMIN

    def _render(self, request, form, status, code=200) -> HttpResponse:
        context = {"form": form, "status": status}
        return render(request, "accounts/service_connection.html", context, status=code)

    def get(self, request: HttpRequest) -> HttpResponse:
        from .connections import service_admin

        form = ServiceConnectionForm(initial={"admin": service_admin()})
        probe = request.GET.get("test") == "1"
        return self._render(request, form, service_connection_status(probe=probe))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceConnectionForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, service_connection_status(), code=400)
        try:
            services.service_connection_set(
                admin=form.cleaned_data["admin"], acting_user=request.user
            )
        except services.AccessChangeRefused as exc:
            messages.error(request, str(exc))
            return self._render(request, form, service_connection_status(), code=400)
        messages.success(
            request, f"Background work now uses {form.cleaned_data['admin'].email}'s GoTo token."
        )
        return redirect("accounts:service_connection")


def goto_connections_off(request: HttpRequest) -> HttpResponse:
    """allauth's "connect another account" page, turned off: one portal user is exactly one GoTo
    identity, so there is nothing to link or unlink (the callback refuses ``process=connect``)."""
    raise Http404("Linking GoTo sign-ins is turned off.")
