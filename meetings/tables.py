"""The meetings area's tables, declared once (:mod:`portal.tables`): a held meeting's attendees,
the history dashboard's meetings (and the export of their attendees), the attendee report.

Rows are written in Python, in the active time zone (the viewer's: :class:`MeetingsView`),
with the HTML the templates wrote; the attendees page shows 50 rows and Django's template
engine spent about a third of a cold page on them (bench/). Exports give typed values in the
viewer's zone (``tz``). Names, emails and subjects come from GoTo: every cell goes through
``format_html``.
"""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict

from organizers.models import Organizer
from portal.tables import Column, Export, Table

from .models import MeetingInstance
from .templatetags.meetings_tags import minutes

NONE = "—"


# --- A held meeting's attendees ---------------------------------------------------------------


class InstanceAttendeesTable(Table):
    """Name, email, joined, left, time attended of each attendee of one meeting."""

    columns = (
        Column("Name", html="{name}", exports=(Export("name", lambda a: a.name),)),
        Column("Email", html="{email}", exports=(Export("email", lambda a: a.email),)),
        Column("Joined", html="{joined}", exports=(Export("join time", lambda a: a.join_time),)),
        Column("Left", html="{left}", exports=(Export("leave time", lambda a: a.leave_time),)),
        Column(
            "Time attended",
            html="{minutes}",
            exports=(Export("duration (min)", lambda a: a.duration_minutes),),
        ),
    )

    # The fields of an attendee the page's rows read (:func:`meetings.selectors.
    # instance_attendees_page` gives them, not model instances); the export reads Attendees.
    reads = ("name", "email", "join_time", "leave_time", "duration_minutes")

    def fields(self, a) -> dict:
        return {
            "name": a.name or NONE,
            "email": a.email or NONE,
            "joined": self.day_time(a.join_time),
            "left": self.clock(a.leave_time) or NONE,
            "minutes": minutes(a.duration_minutes),
        }


# --- The history dashboard's meetings -----------------------------------------------------------


class DashboardMeetingsTable(Table):
    """The meetings the dashboard's filters show, newest first (the page shows 50)."""

    links = {"detail": ("meetings:instance_detail", "pk")}
    columns = (
        Column(
            exports=(
                Export("instance key", lambda i: i.instance_key),
                Export("meeting id", lambda i: i.meeting_id),
            )
        ),
        Column(
            "Subject",
            html='<a href="{detail}">{subject}</a>',
            exports=(Export("subject", lambda i: i.subject),),
        ),
        Column(
            "Start",
            html="{start}",
            exports=(
                Export("start", lambda i: i.start_time),
                Export("end", lambda i: i.end_time),
            ),
        ),
        Column(
            "Duration",
            html="{duration}",
            exports=(Export("duration (min)", lambda i: i.duration_minutes),),
        ),
        Column(
            "Attendees",
            html="{attendees}",
            exports=(Export("attendees", lambda i: i.num_attendees),),
        ),
        Column(
            "Attendee-minutes",
            html="{attendee_minutes}",
            exports=(Export("attendee-minutes", lambda i: i.attendee_minutes),),
        ),
        Column(
            "Organizer",
            html="{organizer}",
            exports=(
                Export("organizer email", lambda i: i.organizer.email if i.organizer_id else None),
            ),
        ),
        Column(
            "Group",
            html="{group}",
            exports=(Export("group", lambda i: i.group.name if i.group_id else None),),
        ),
    )

    # The only fields of an instance (and its organizer and group) the page's rows read:
    # :func:`meetings.selectors.history_table_page` gives them as named tuples, not model
    # instances (the export reads MeetingInstances, with their organizer and group).
    reads = (
        "subject", "start_time", "duration_minutes", "num_attendees", "attendee_minutes",
        "organizer_id", "organizer__first_name", "organizer__last_name", "organizer__email",
        "group_id", "group__name",
    )  # fmt: skip

    def fields(self, i) -> dict:
        """A row's fields, from a named tuple of :attr:`reads` (the page's) or from a
        :class:`MeetingInstance` with its organizer and group."""
        return {
            "pk": i.pk,
            "subject": i.subject,
            "start": self.day_time(i.start_time),
            "duration": minutes(i.duration_minutes),
            "attendees": i.num_attendees,
            "attendee_minutes": intcomma(i.attendee_minutes),
            "organizer": _organizer(i),
            "group": _group(i),
        }


def _organizer(i) -> str:
    if i.organizer_id is None:
        return NONE
    if isinstance(i, MeetingInstance):
        return str(i.organizer)
    return Organizer.label(i.organizer__first_name, i.organizer__last_name, i.organizer__email)


def _group(i) -> str:
    if i.group_id is None:
        return NONE
    return str(i.group) if isinstance(i, MeetingInstance) else i.group__name


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


class AttendeeReportTable(Table):
    """One row per person (lower-cased email): meetings attended, time, first and last join.
    Rows are the dicts of :func:`meetings.selectors.attendee_report_page`; the email opens the
    meetings that person attended (htmx, or a link without JavaScript)."""

    columns = (
        Column(
            "Email",
            html=(
                '<details class="attended" hx-get="{attended}" hx-trigger="toggle once" '
                'hx-target="find .attended-list"><summary>{email}</summary>'
                '<div class="attended-list"><a href="{attended}">Show the meetings {email} '
                "attended</a></div></details>"
            ),
            exports=(Export("email", lambda r: r["key"]),),
        ),
        Column("Name", html="{name}", exports=(Export("name", lambda r: r["name"]),)),
        Column(
            "Meetings attended",
            html="{meetings}",
            exports=(Export("meetings attended", lambda r: r["meetings"]),),
        ),
        Column(
            "Total time",
            html="{minutes}",
            exports=(Export("minutes", lambda r: r["minutes"]),),
        ),
        Column(
            "First joined",
            html="{first}",
            exports=(Export("first joined", lambda r: r["first_seen"]),),
        ),
        Column(
            "Last joined",
            html="{last}",
            exports=(Export("last joined", lambda r: r["last_seen"]),),
        ),
    )

    def fields(self, row: dict) -> dict:
        return {
            "email": row["key"],
            "attended": self.attended_url(row["key"]),
            "name": row["name"],
            "meetings": intcomma(row["meetings"]),
            "minutes": minutes(row["minutes"]),
            "first": self.day_time(row["first_seen"]),
            "last": self.day_time(row["last_seen"]),
        }

    def attended_url(self, key: str) -> str:
        params = self.query.copy() if self.query is not None else QueryDict(mutable=True)
        params["attended"] = key
        params.pop("after", None)
        return f"?{params.urlencode()}"
