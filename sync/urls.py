from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("", views.sync_status, name="status"),
    path("refresh/", views.sync_refresh, name="refresh"),
    path("runs/<id:pk>/", views.run_fragment, name="run_fragment"),
]
