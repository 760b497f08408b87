from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("export.csv", views.dashboard_export, name="export"),
    path("refresh/", views.refresh, name="refresh"),
    path("programs/<int:program_id>/", views.dashboard_page, name="program"),
    path("programs/<int:program_id>/export.csv", views.dashboard_export, name="program_export"),
]
