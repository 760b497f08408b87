from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("me/", views.my_profile, name="my_profile"),
    path("directory/", views.directory, name="list"),
    path("directory/export.csv", views.directory_export, name="export"),
    path("directory/<int:employee_id>/", views.employee_detail, name="employee_detail"),
    path("directory/import/", views.import_page, name="import_page"),
    path(
        "directory/import/template.csv",
        views.import_template,
        name="import_template",
    ),
    path(
        "directory/import/<int:import_id>/",
        views.import_detail,
        name="import_detail",
    ),
    path(
        "directory/import/<int:import_id>/apply/",
        views.import_apply,
        name="import_apply",
    ),
    path(
        "directory/import/<int:import_id>/discard/",
        views.import_discard,
        name="import_discard",
    ),
]
