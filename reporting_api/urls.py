"""``/api/v1/``: the read-only reporting API (namespace ``api``) and its OpenAPI document.

The API authenticates by token, not by session, so its views are exempt from the portal's
``LoginRequiredMiddleware`` (which would send a BI tool to the sign-in page); DRF answers 401
itself. The schema needs no token: it describes the API and holds no data.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"


def _open(view_class, **initkwargs):
    return login_not_required(view_class.as_view(**initkwargs))


urlpatterns = [
    path("meeting-instances/", _open(views.MeetingInstanceList), name="meeting_instances"),
    path("attendees/", _open(views.AttendeeList), name="attendees"),
    path("organizers/", _open(views.OrganizerList), name="organizers"),
    path("dashboard/", _open(views.DashboardFigures), name="dashboard"),
    path("sync-freshness/", _open(views.SyncFreshness), name="sync_freshness"),
    path(
        "schema/",
        _open(
            SpectacularAPIView,
            authentication_classes=[],
            permission_classes=[],
            throttle_classes=[],
        ),
        name="schema",
    ),
]
