"""Program managers' views of the pairs' activity and the mentor support circles."""

from django.urls import path

from sessions.views import manager as views

app_name = "mentoring_manager"

program = "<int:program_id>/"
urlpatterns = [
    path(program + "pairs/", views.pairs, name="pairs"),
    path(program + "pairs.csv", views.pairs_export, name="pairs_export"),
    path(program + "reliability.csv", views.reliability_export, name="reliability_export"),
    path(program + "circles/", views.circle_list, name="circles"),
    path(program + "circles/<int:circle_id>/", views.circle_detail, name="circle"),
    path(program + "circles/<int:circle_id>/edit/", views.circle_edit, name="circle_edit"),
    path(program + "circles/<int:circle_id>/delete/", views.circle_delete, name="circle_delete"),
]
