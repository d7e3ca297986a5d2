"""Pages of the meetings area: own meetings, meeting actions, history dashboard, attendees.

Views are thin: a form validates the input, one selector (reads) or service (writes) does the
work, a template renders it. Every view declares its roles; "only your own meetings" and the
Manager's group scope are enforced by the selectors (others' rows answer 404).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from accounts.connections import client_for_user
from organizers import selectors as organizer_selectors
from organizers.models import Organizer
from portal import scoping
from portal.api_outcomes import outcome_note
from portal.export import export_refused, wanted_export
from portal.ids import parse_id
from portal.page_cache import cached_page
from portal.permissions import ADMIN, EVERYONE, MANAGERS, RoleRequiredMixin
from sync.models import SyncArea

from . import selectors, services
from .dashboard_cache import dashboard_body
from .forms import (
    TZ_SESSION_KEY,
    AttendeeReportFilterSet,
    CursorFilterSet,
    DateRangeFilterSet,
    HistoryFilterSet,
    MeetingForm,
    request_timezone,
)
from .tables import (
    AttendeeReportTable,
    DashboardAttendeesTable,
    DashboardMeetingsTable,
    InstanceAttendeesTable,
)


class MeetingsView(RoleRequiredMixin, View):
    """Role check, then the user's time zone active while the page is rendered."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.tz = request_timezone(request)
        with timezone.override(self.tz):
            return super().dispatch(request, *args, **kwargs)


def _page_context(request: HttpRequest) -> tuple:
    """What every meetings page depends on besides its data: the user's time zone, today in it
    (a range left empty means "up to today"), and a Manager's group scope."""
    tz = request_timezone(request)
    scope = scoping.visible_group_ids(request.user)
    return (str(tz), timezone.localdate(timezone=tz), None if scope is None else sorted(scope))


def _dashboard_version(request: HttpRequest) -> tuple:
    # Kept on the request: the dashboard shows the oldest cached start it holds.
    request.instances_version = selectors.instances_version()
    return (request.instances_version, _page_context(request))


def _instance_version(request: HttpRequest, pk: int) -> tuple:
    return (selectors.instance_version(pk), _page_context(request))


def _stamp(filters: selectors.HistoryFilter) -> str:
    return f"{filters.window.start:%Y%m%d}-{filters.window.end:%Y%m%d}"


# --- History dashboard ------------------------------------------------------------------------


@method_decorator(cached_page(_dashboard_version), name="get")
class DashboardView(MeetingsView):
    allowed_roles = MANAGERS

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = HistoryFilterSet(request.GET, user=request.user, tz=self.tz)
        form = filterset.form
        export = wanted_export(request)
        if not filterset.is_valid():
            if export:
                return export_refused(filterset.errors)
            return render(request, "meetings/dashboard.html", {"form": form, "board": None})
        filters = filterset.history_filter()
        if export:
            what = request.GET.get("what", "meetings")
            if what == "attendees":
                rows = selectors.history_attendee_export_rows(user=request.user, filters=filters)
                return DashboardAttendeesTable(tz=self.tz).export_response(
                    export, f"attendees-{_stamp(filters)}", rows, sheet_name="Attendees"
                )
            if what != "meetings":
                return export_refused({"what": ["Choose meetings or attendees."]})
            rows = selectors.history_export_rows(user=request.user, filters=filters)
            return DashboardMeetingsTable(tz=self.tz).export_response(
                export, f"meetings-{_stamp(filters)}", rows, sheet_name="Meetings"
            )
        version = getattr(request, "instances_version", None) or selectors.instances_version()
        body = dashboard_body(
            request, filters=filters, cursor=form.cleaned_data.get("before"), version=version
        )
        return render(
            request,
            "meetings/dashboard.html",
            {"form": form, "body": body.html, "board": body.board, "filters": filters},
        )


def _organizer_options_version(request: HttpRequest) -> tuple:
    return (organizer_selectors.organizers_version(), _page_context(request))


# The list changes only with the organizers and groups (its version): kept longer than a page.
ORGANIZER_OPTIONS_SECONDS = 15 * 60


@method_decorator(cached_page(_organizer_options_version, seconds=ORGANIZER_OPTIONS_SECONDS),
                  name="get")  # fmt: skip
class OrganizerOptionsView(MeetingsView):
    """The history filters' organizer select in full, for the viewer's scope (the page carries
    a short one: :class:`portal.widgets.LazyOptionsSelect`). Kept per user and chosen organizer
    for up to 15 minutes, or until an organizer or group is written (a history sync does not
    change it), so exploring dates and groups does not write it again."""

    allowed_roles = MANAGERS

    def get(self, request: HttpRequest) -> HttpResponse:
        selected = request.GET.get("organizer", "")  # the short select's value, sent by htmx
        if selected and parse_id(selected) is None:
            return HttpResponse(
                "Choose an organizer from the list.", status=400, content_type="text/plain"
            )
        return HttpResponse(HistoryFilterSet.organizer_select(user=request.user, selected=selected))


# --- Attendee reports -------------------------------------------------------------------------


class AttendeesReportView(MeetingsView):
    allowed_roles = MANAGERS

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = AttendeeReportFilterSet(request.GET, user=request.user, tz=self.tz)
        form = filterset.form
        export = wanted_export(request)
        if not filterset.is_valid():
            if export:
                return export_refused(filterset.errors)
            return render(request, "meetings/attendees_report.html", {"form": form})
        filters = filterset.history_filter()
        attended = form.cleaned_data.get("attended")
        if attended:
            stays = selectors.attendee_meetings(user=request.user, filters=filters, email=attended)
            template = (
                "meetings/_attended_meetings.html"
                if request.htmx
                else "meetings/attended_meetings.html"
            )
            return render(
                request,
                template,
                {
                    "form": form,
                    "email": attended,
                    "stays": stays,
                    "limit": selectors.ATTENDED_MEETINGS_LIMIT,
                },
            )
        table = AttendeeReportTable(tz=self.tz, query=request.GET)
        if export:
            rows = selectors.attendee_report_export_rows(user=request.user, filters=filters)
            return table.export_response(
                export, f"attendee-report-{_stamp(filters)}", rows, sheet_name="Attendee report"
            )
        page = selectors.attendee_report_page(
            user=request.user, filters=filters, after=form.cleaned_data.get("after")
        )
        people = selectors.attendee_report_people(user=request.user, filters=filters)
        return render(
            request,
            "meetings/attendees_report.html",
            {
                "form": form,
                "page": page,
                "filters": filters,
                "people": people,
                "table": table,
                "rows": table.rows_html(page.rows),
            },
        )


# --- Live now ---------------------------------------------------------------------------------


class LiveView(MeetingsView):
    allowed_roles = MANAGERS
    template_name = "meetings/live.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "meetings": selectors.live_meetings(user=request.user),
                "synced_at": selectors.last_sync_at(SyncArea.LIVE),
                "limit": selectors.LIVE_LIMIT,
            },
        )


class LiveFragmentView(LiveView):
    template_name = "meetings/_live_list.html"


# --- An organizer's meetings ------------------------------------------------------------------


class _OrganizerMeetingsBase(MeetingsView):
    def render_lists(
        self,
        request: HttpRequest,
        owner: selectors.MeetingOwner,
        organizer: Organizer | None,
        *,
        mine: bool,
    ):
        filterset = DateRangeFilterSet(request.GET, tz=self.tz)
        form = filterset.form
        valid = filterset.is_valid()
        window = filterset.window()
        data = form.cleaned_data if valid else {}
        context = {
            "form": form,
            "organizer": organizer,
            "mine": mine,
            "can_create": mine
            or (
                owner.organizer_key is not None
                and owner.organizer_key == request.user.organizer_key
            ),
            "scheduled": selectors.organizer_scheduled_page(
                owner=owner, window=window, cursor=data.get("after")
            ),
            "history": selectors.organizer_history_page(
                owner=owner, window=window, cursor=data.get("before")
            ),
            "synced_at": selectors.last_sync_at(SyncArea.SCHEDULED),
            "history_synced_at": selectors.last_sync_at(SyncArea.HISTORY),
        }
        return render(request, "meetings/meeting_list.html", context)


class MyMeetingsView(_OrganizerMeetingsBase):
    allowed_roles = EVERYONE

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_lists(
            request, selectors.MeetingOwner.of_user(request.user), None, mine=True
        )


class OrganizerMeetingsView(_OrganizerMeetingsBase):
    allowed_roles = ADMIN

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organizer = get_object_or_404(Organizer.objects.select_related("group"), pk=pk)
        return self.render_lists(
            request, selectors.MeetingOwner.of_organizer(organizer), organizer, mine=False
        )


# --- One meeting and its actions --------------------------------------------------------------


def _list_url_for(meeting, user) -> str:
    organizer = meeting.organizer
    if (
        organizer is not None
        and organizer.organizer_key != user.organizer_key
        and user.is_portal_admin
    ):
        return reverse("meetings:organizer_meetings", args=[organizer.pk])
    return reverse("meetings:my_meetings")


class MeetingDetailView(MeetingsView):
    allowed_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for_user(user=request.user, pk=pk)
        return render(
            request,
            "meetings/meeting_detail.html",
            {
                "meeting": meeting,
                "instances": selectors.meeting_past_instances(meeting=meeting),
                "list_url": _list_url_for(meeting, request.user),
            },
        )


class _MeetingFormView(MeetingsView):
    allowed_roles = EVERYONE
    title = ""

    def get_meeting(self, request, pk):
        return None

    def render_form(self, request, form, meeting):
        return render(
            request,
            "meetings/meeting_form.html",
            {"form": form, "meeting": meeting, "title": self.title},
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        meeting = self.get_meeting(request, pk)
        form = MeetingForm(default_timezone=self.tz.key, meeting=meeting)
        return self.render_form(request, form, meeting)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        meeting = self.get_meeting(request, pk)
        form = MeetingForm(request.POST, default_timezone=self.tz.key, meeting=meeting)
        if not form.is_valid():
            messages.error(request, "Please correct the errors below. Nothing was sent to GoTo.")
            return self.render_form(request, form, meeting)
        try:
            client = client_for_user(request.user)
            saved = self.save(client, request.user, meeting, form.meeting_fields())
        except services.MeetingActionFailed as exc:
            messages.add_message(request, exc.level, exc.message)
            return self.render_form(request, form, meeting)
        # Show times back in the zone they were entered in.
        request.session[TZ_SESSION_KEY] = form.cleaned_data["timezone"]
        done = self.success_message.format(subject=saved.subject)
        messages.success(request, f"{done} {outcome_note(saved)}".strip())
        return redirect("meetings:detail", pk=saved.pk)


class MeetingCreateView(_MeetingFormView):
    title = "New meeting"
    success_message = "Meeting “{subject}” created."

    def save(self, client, user, meeting, fields):
        return services.meeting_create(client=client, acting_user=user, fields=fields)


class MeetingUpdateView(_MeetingFormView):
    title = "Edit meeting"
    success_message = "Meeting “{subject}” updated."

    def get_meeting(self, request, pk):
        return selectors.meeting_for_user(user=request.user, pk=pk, editable=True)

    def save(self, client, user, meeting, fields):
        return services.meeting_update(
            client=client, acting_user=user, meeting=meeting, fields=fields
        )


class MeetingDeleteView(MeetingsView):
    allowed_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for_user(user=request.user, pk=pk, editable=True)
        return render(request, "meetings/meeting_confirm_delete.html", {"meeting": meeting})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for_user(user=request.user, pk=pk, editable=True)
        try:
            client = client_for_user(request.user)
            meeting = services.meeting_delete(
                client=client, acting_user=request.user, meeting=meeting
            )
        except services.MeetingActionFailed as exc:
            messages.add_message(request, exc.level, exc.message)
            return redirect("meetings:detail", pk=meeting.pk)
        done = f"Meeting “{meeting.subject}” deleted. {outcome_note(meeting)}"
        messages.success(request, done.strip())
        return redirect(_list_url_for(meeting, request.user))


class MeetingStartView(MeetingsView):
    """GET asks "Start X?" (for links and no-JS use); POST gets the host URL and goes there."""

    allowed_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for_user(user=request.user, pk=pk, editable=True)
        return render(request, "meetings/meeting_confirm_start.html", {"meeting": meeting})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = selectors.meeting_for_user(user=request.user, pk=pk, editable=True)
        try:
            client = client_for_user(request.user)
            host_url = services.meeting_start(
                client=client, acting_user=request.user, meeting=meeting
            )
        except services.MeetingActionFailed as exc:
            messages.add_message(request, exc.level, exc.message)
            return redirect("meetings:detail", pk=meeting.pk)
        return redirect(host_url)


# --- A held meeting and its attendees ---------------------------------------------------------


@method_decorator(cached_page(_instance_version), name="get")
class InstanceDetailView(MeetingsView):
    """Managers (within their groups) and Admins; an Organizer for their own meetings only."""

    allowed_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        instance = selectors.instance_for_user(user=request.user, pk=pk)
        table = InstanceAttendeesTable(tz=self.tz)
        export = wanted_export(request)
        if export:
            rows = selectors.instance_attendees_rows(instance=instance)
            return table.export_response(
                export,
                f"attendees-{instance.instance_key}",
                rows,
                sheet_name=f"Attendees {instance.instance_key}",
            )
        filterset = CursorFilterSet(request.GET)
        form = filterset.form
        page = selectors.instance_attendees_page(
            instance=instance, cursor=filterset.cursor("after"), fields=table.reads
        )
        held = table.day_time(instance.start_time)  # what |date:"Y-m-d H:i" shows, 3x faster
        return render(
            request,
            "meetings/instance_detail.html",
            {
                "instance": instance,
                "held_on": held[:10],
                "held_from": held,
                "held_until": table.clock(instance.end_time),
                "page": page,
                "table": table,
                "rows": table.rows_html(page.rows),
                "form": form,
                "export_url": "?" + urlencode({"export": "csv"}),
                "export_xlsx_url": "?" + urlencode({"export": "xlsx"}),
            },
        )
