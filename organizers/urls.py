from django.urls import path

from . import views

app_name = "organizers"

urlpatterns = [
    path("", views.organizer_list, name="list"),
    path("groups/", views.group_list, name="groups"),
    path("invite/", views.organizer_invite, name="invite"),
    path("bulk/", views.bulk_action, name="bulk_action"),
    path("<id:pk>/", views.organizer_detail, name="detail"),
    path("<id:pk>/recheck/", views.organizer_recheck, name="recheck"),
    path("<id:pk>/suspend/", views.organizer_suspend, name="suspend"),
    path("<id:pk>/reactivate/", views.organizer_reactivate, name="reactivate"),
    path("<id:pk>/delete/", views.organizer_delete, name="delete"),
    path("import/", views.import_upload, name="import"),
    path("import/<id:pk>/", views.import_preview, name="import_preview"),
    path("import/<id:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<id:pk>/result/", views.import_result, name="import_result"),
]
