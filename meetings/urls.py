from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("attendees/", views.AttendeesReportView.as_view(), name="attendees_report"),
    path("filters/organizers/", views.OrganizerOptionsView.as_view(), name="organizer_options"),
    path("live/", views.LiveView.as_view(), name="live"),
    path("live/fragment/", views.LiveFragmentView.as_view(), name="live_fragment"),
    path("mine/", views.MyMeetingsView.as_view(), name="my_meetings"),
    path("organizer/<id:pk>/", views.OrganizerMeetingsView.as_view(), name="organizer_meetings"),
    path("new/", views.MeetingCreateView.as_view(), name="create"),
    path("<id:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("<id:pk>/edit/", views.MeetingUpdateView.as_view(), name="update"),
    path("<id:pk>/delete/", views.MeetingDeleteView.as_view(), name="delete"),
    path("<id:pk>/start/", views.MeetingStartView.as_view(), name="start"),
    path("held/<id:pk>/", views.InstanceDetailView.as_view(), name="instance_detail"),
]
