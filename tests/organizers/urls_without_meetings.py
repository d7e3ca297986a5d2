"""A URL configuration without the meetings area, to prove pages still render without it."""

from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("organizers/", include("organizers.urls")),
]
