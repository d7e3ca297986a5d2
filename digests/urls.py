from django.urls import path

from . import views

app_name = "digests"

urlpatterns = [
    path("preview/", views.preview, name="preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
