from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("my-data/", views.my_data, name="my_data"),
    path(
        "my-data/exports/<int:dataexport_id>/download/",
        views.export_download,
        name="export_download",
    ),
    path("members/<int:membership_id>/erase/", views.erase, name="erase"),
]
