"""The API's resources: read-only, GET only, each declaring the roles that may use it like the
portal's pages (``allowed_roles``, checked by :class:`reporting_api.permissions.HasApiRole`).

| resource | roles | scope (the portal's own selectors) |
|---|---|---|
| meeting-instances, attendees | everyone | Admin all; Manager their groups; Organizer own |
| organizers, dashboard | Admin, Manager | Admin all; Manager their groups |
| sync-freshness | everyone | the whole account's sync (no rows of anyone) |

A Manager whom no Admin has scoped yet gets empty lists and zero figures, never "everything".
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meetings.forms import timezone_names
from meetings.selectors import history_dashboard
from portal.permissions import EVERYONE, MANAGERS
from sync.selectors import area_ages

from . import selectors
from .forms import INACTIVE_CHOICES, history_filters, no_parameters, organizer_filters
from .pagination import AttendeePagination, KeysetPagination, OrganizerPagination
from .serializers import (
    AttendeeSerializer,
    DashboardSerializer,
    ErrorSerializer,
    MeetingInstanceSerializer,
    OrganizerSerializer,
    SyncAreaSerializer,
)

ERRORS = {
    401: ErrorSerializer,  # no token, or an unknown, expired or revoked one
    403: ErrorSerializer,  # the token's owner's role does not allow the resource
    429: ErrorSerializer,  # the token's rate limit: wait Retry-After seconds
}
BAD_INPUT = {400: ErrorSerializer}

ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
HISTORY_PARAMETERS = [
    OpenApiParameter(
        "group", ID, description="A group id you may see: its meetings and its sub-groups'."
    ),
    OpenApiParameter("organizer", ID, description="An organizer id you may see."),
    OpenApiParameter(
        "start", OpenApiTypes.DATE, description="First day (in tz); default: 29 days before end."
    ),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (in tz); default: today."),
    OpenApiParameter(
        "tz",
        OpenApiTypes.STR,
        enum=list(timezone_names()),
        description="IANA time zone the days are read in; default UTC.",
    ),
]


class ReportingView(APIView):
    allowed_roles: tuple[str, ...] = ()


class MeetingInstanceList(ReportingView, ListAPIView):
    """Held meetings (history), newest first."""

    allowed_roles = EVERYONE
    serializer_class = MeetingInstanceSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        filters = history_filters(self.request.query_params, user=self.request.user)
        return selectors.api_instances(user=self.request.user, filters=filters)

    @extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={200: MeetingInstanceSerializer(many=True), **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class AttendeeList(ReportingView, ListAPIView):
    """Attendees' stays in the held meetings the filters select, latest join first."""

    allowed_roles = EVERYONE
    serializer_class = AttendeeSerializer
    pagination_class = AttendeePagination

    def get_queryset(self):
        filters = history_filters(self.request.query_params, user=self.request.user)
        return selectors.api_attendees(user=self.request.user, filters=filters)

    @extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={200: AttendeeSerializer(many=True), **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class OrganizerList(ReportingView, ListAPIView):
    """Organizers with their licences (products), status and last meeting."""

    allowed_roles = MANAGERS
    serializer_class = OrganizerSerializer
    pagination_class = OrganizerPagination

    def get_queryset(self):
        filters = organizer_filters(self.request.query_params, user=self.request.user)
        return selectors.api_organizers(user=self.request.user, **filters)

    @extend_schema(
        parameters=[
            OpenApiParameter("group", ID, description="A group id (with its sub-groups)."),
            OpenApiParameter(
                "inactive_days",
                OpenApiTypes.INT,
                enum=list(INACTIVE_CHOICES),
                description="Only organizers with no meeting held for this many days "
                "(licences to reclaim), never-hosted ones included.",
            ),
        ],
        responses={200: OrganizerSerializer(many=True), **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class DashboardFigures(ReportingView):
    """The history dashboard's figures for a scope and range: the same functions as the page
    (:func:`meetings.selectors.history_dashboard`), so the numbers are the page's."""

    allowed_roles = MANAGERS

    @extend_schema(
        parameters=HISTORY_PARAMETERS,
        responses={200: DashboardSerializer, **BAD_INPUT, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        filters = history_filters(request.query_params, user=request.user, paginated=False)
        board = history_dashboard(user=request.user, filters=filters, cursor=None)
        kpis = board.kpis

        def top(rows: list[dict]) -> list[dict]:
            return [
                {
                    "organizer_id": row["organizer_id"],
                    "name": row["name"],
                    "meetings": row["meetings"],
                    "attendee_minutes": row["minutes"],
                }
                for row in rows
            ]

        data = {
            "start": filters.window.start,
            "end": filters.window.end,
            "time_zone": str(filters.window.tz),
            "group_id": filters.group.pk if filters.group is not None else None,
            "organizer_id": filters.organizer.pk if filters.organizer is not None else None,
            "meetings": kpis["meetings"],
            "attendee_minutes": kpis["attendee_minutes"],
            "unique_attendees": kpis["unique_attendees"],
            "avg_attendees": kpis["avg_attendees"],
            "avg_duration_minutes": kpis["avg_duration"],
            "attendee_distribution": [
                {"label": label, "meetings": n} for label, n in board.distribution
            ],
            "period": board.period,
            "per_period": [{"start": day, "meetings": n} for day, n in board.per_period],
            "top_organizers_by_meetings": top(board.top_by_meetings),
            "top_organizers_by_minutes": top(board.top_by_minutes),
            "history_synced_at": board.synced_at,
            "oldest_cached_start": board.oldest_cached,
        }
        return Response(DashboardSerializer(data).data)


class SyncFreshness(ReportingView):
    """When each sync area last completed, its cadence, and whether it is stale: how old the
    figures of the other resources may be."""

    allowed_roles = EVERYONE

    @extend_schema(responses={200: SyncAreaSerializer(many=True), **BAD_INPUT, **ERRORS})
    def get(self, request: Request) -> Response:
        no_parameters(request.query_params)
        rows = [
            {
                "area": age.area,
                "label": str(age.label),
                "interval_seconds": int(age.interval.total_seconds()),
                "last_success_at": age.last_success_at,
                "stale": age.stale,
            }
            for age in area_ages()
        ]
        return Response(SyncAreaSerializer(rows, many=True).data)
