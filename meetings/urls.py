from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("attendees/", views.AttendeesReportView.as_view(), name="attendees_report"),
    path("live/", views.LiveView.as_view(), name="live"),
    path("live/fragment/", views.LiveFragmentView.as_view(), name="live_fragment"),
    path("mine/", views.MyMeetingsView.as_view(), name="my_meetings"),
    path("organizer/<int:pk>/", views.OrganizerMeetingsView.as_view(), name="organizer_meetings"),
    path("new/", views.MeetingCreateView.as_view(), name="create"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="update"),
    path("<int:pk>/delete/", views.MeetingDeleteView.as_view(), name="delete"),
    path("<int:pk>/start/", views.MeetingStartView.as_view(), name="start"),
    path("held/<int:pk>/", views.InstanceDetailView.as_view(), name="instance_detail"),
]
