from django.urls import path

from digests.views import profile

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", profile, name="profile"),
    path("roles/", views.RolesView.as_view(), name="roles"),
    path("roles/<id:pk>/", views.RoleUpdateView.as_view(), name="role_update"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("service-connection/", views.ServiceConnectionView.as_view(), name="service_connection"),
]
