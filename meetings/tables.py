"""The meetings area's tables, declared once (:mod:`portal.tables`): a held meeting's attendees,
the history dashboard's meetings (and the export of their attendees), the attendee report.

Rows are written in Python, in the active time zone (the viewer's: :class:`MeetingsView`),
with the HTML the templates wrote; the attendees page shows 50 rows and Django's template
engine spent about a third of a cold page on them (bench/). Exports give typed values in the
viewer's zone (``tz``). Names, emails and subjects come from GoTo: every cell goes through
``format_html``.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from portal.tables import Column, Export, Table

from .models import MeetingInstance
from .templatetags.meetings_tags import minutes

NONE = "—"
_ANY_PK = 2_147_483_647


def _local(value: datetime) -> datetime:
    return value.astimezone(timezone.get_current_timezone()) if value.tzinfo else value


def _day_time(value: datetime | None) -> str:
    return f"{_local(value):%Y-%m-%d %H:%M}" if value else ""


# --- A held meeting's attendees ---------------------------------------------------------------


class InstanceAttendeesTable(Table):
    """Name, email, joined, left, time attended of each attendee of one meeting."""

    columns = (
        Column(
            "Name",
            cell=lambda t, a: a.name or NONE,
            exports=(Export("name", lambda a: a.name),),
        ),
        Column(
            "Email",
            cell=lambda t, a: a.email or NONE,
            exports=(Export("email", lambda a: a.email),),
        ),
        Column(
            "Joined",
            cell=lambda t, a: _day_time(a.join_time),
            exports=(Export("join time", lambda a: a.join_time),),
        ),
        Column(
            "Left",
            cell=lambda t, a: f"{_local(a.leave_time):%H:%M}" if a.leave_time else NONE,
            exports=(Export("leave time", lambda a: a.leave_time),),
        ),
        Column(
            "Time attended",
            cell=lambda t, a: minutes(a.duration_minutes),
            exports=(Export("duration (min)", lambda a: a.duration_minutes),),
        ),
    )


# --- The history dashboard's meetings -----------------------------------------------------------


def _subject(table: DashboardMeetingsTable, inst: MeetingInstance) -> tuple:
    if table.pattern is None:
        url = reverse("meetings:instance_detail", args=[_ANY_PK])
        table.pattern = str(conditional_escape(url))
    # The pattern is escaped once; an int in place of the placeholder keeps it escaped.
    return SafeString(table.pattern.replace(str(_ANY_PK), str(int(inst.pk)))), inst.subject


class DashboardMeetingsTable(Table):
    """The meetings the dashboard's filters show, newest first (the page shows 50)."""

    pattern: str | None = None

    columns = (
        Column(
            exports=(
                Export("instance key", lambda i: i.instance_key),
                Export("meeting id", lambda i: i.meeting_id),
            )
        ),
        Column(
            "Subject",
            cell=_subject,
            html='<a href="{}">{}</a>',
            exports=(Export("subject", lambda i: i.subject),),
        ),
        Column(
            "Start",
            cell=lambda t, i: _day_time(i.start_time),
            exports=(
                Export("start", lambda i: i.start_time),
                Export("end", lambda i: i.end_time),
            ),
        ),
        Column(
            "Duration",
            cell=lambda t, i: minutes(i.duration_minutes),
            exports=(Export("duration (min)", lambda i: i.duration_minutes),),
        ),
        Column(
            "Attendees",
            cell=lambda t, i: i.num_attendees,
            exports=(Export("attendees", lambda i: i.num_attendees),),
        ),
        Column(
            "Attendee-minutes",
            cell=lambda t, i: intcomma(i.attendee_minutes),
            exports=(Export("attendee-minutes", lambda i: i.attendee_minutes),),
        ),
        Column(
            "Organizer",
            cell=lambda t, i: str(i.organizer) if i.organizer_id else NONE,
            exports=(
                Export("organizer email", lambda i: i.organizer.email if i.organizer_id else None),
            ),
        ),
        Column(
            "Group",
            cell=lambda t, i: str(i.group) if i.group_id else NONE,
            exports=(Export("group", lambda i: i.group.name if i.group_id else None),),
        ),
    )


class DashboardAttendeesTable(Table):
    """Every attendee stay in the meetings the dashboard's filters show (the export only)."""

    columns = (
        Column(
            exports=(
                Export("instance key", lambda a: a.instance.instance_key),
                Export("meeting subject", lambda a: a.instance.subject),
                Export("meeting start", lambda a: a.instance.start_time),
                Export("attendee name", lambda a: a.name),
                Export("attendee email", lambda a: a.email),
                Export("join time", lambda a: a.join_time),
                Export("leave time", lambda a: a.leave_time),
                Export("duration (min)", lambda a: a.duration_minutes),
            )
        ),
    )


# --- The attendee report --------------------------------------------------------------------


def _attendee_email(table: AttendeeReportTable, row: dict) -> tuple:
    url = table.attended_url(row["key"])
    return url, row["key"], url, row["key"]


class AttendeeReportTable(Table):
    """One row per person (lower-cased email): meetings attended, time, first and last join.
    Rows are the dicts of :func:`meetings.selectors.attendee_report_page`; the email opens the
    meetings that person attended (htmx, or a link without JavaScript)."""

    columns = (
        Column(
            "Email",
            cell=_attendee_email,
            html=(
                '<details class="attended" hx-get="{}" hx-trigger="toggle once" '
                'hx-target="find .attended-list"><summary>{}</summary>'
                '<div class="attended-list"><a href="{}">Show the meetings {} attended</a></div>'
                "</details>"
            ),
            exports=(Export("email", lambda r: r["key"]),),
        ),
        Column("Name", cell=lambda t, r: r["name"], exports=(Export("name", lambda r: r["name"]),)),
        Column(
            "Meetings attended",
            cell=lambda t, r: intcomma(r["meetings"]),
            exports=(Export("meetings attended", lambda r: r["meetings"]),),
        ),
        Column(
            "Total time",
            cell=lambda t, r: minutes(r["minutes"]),
            exports=(Export("minutes", lambda r: r["minutes"]),),
        ),
        Column(
            "First joined",
            cell=lambda t, r: _day_time(r["first_seen"]),
            exports=(Export("first joined", lambda r: r["first_seen"]),),
        ),
        Column(
            "Last joined",
            cell=lambda t, r: _day_time(r["last_seen"]),
            exports=(Export("last joined", lambda r: r["last_seen"]),),
        ),
    )

    def attended_url(self, key: str) -> str:
        params = self.query.copy() if self.query is not None else QueryDict(mutable=True)
        params["attended"] = key
        params.pop("after", None)
        return f"?{params.urlencode()}"
