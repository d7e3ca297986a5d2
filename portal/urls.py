"""URLs of the portal. Each area has its own ``urls.py`` under its namespace."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import goto_connections_off
from reporting_api import web_views as api_token_views

from . import views

# The Django admin signs in through allauth (GoTo) too; staff users only.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),  # no login: the sign-in page asks too
    # Before allauth's own: its connections page (link another GoTo login) is turned off.
    path("accounts/3rdparty/", goto_connections_off),
    path("accounts/", include("allauth.urls")),
    path("portal/profile/tokens/", api_token_views.api_tokens, name="api_tokens"),
    path(
        "portal/profile/tokens/<id:pk>/revoke/",
        api_token_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("portal/", include("accounts.urls")),
    path("organizers/", include("organizers.urls")),
    path("meetings/", include("meetings.urls")),
    path("sync/", include("sync.urls")),
    path("digests/", include("digests.urls")),
    path("api/v1/", include("reporting_api.urls")),  # token auth; no login page
    path("health/", include("portal.health")),  # no login: load balancers call it
    path("django-admin/", admin.site.urls),
]
