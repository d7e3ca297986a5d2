from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("roles/", views.RolesView.as_view(), name="roles"),
    path("roles/<id:pk>/", views.RoleUpdateView.as_view(), name="role_update"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    path("service-connection/", views.ServiceConnectionView.as_view(), name="service_connection"),
]
