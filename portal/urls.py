"""URLs of the portal. Each area has its own ``urls.py`` under its namespace."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("accounts.urls")),
    path("organizers/", include("organizers.urls")),
    path("meetings/", include("meetings.urls")),
    path("sync/", include("sync.urls")),
    path("django-admin/", admin.site.urls),
]
