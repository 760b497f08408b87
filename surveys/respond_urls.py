"""Survey routes: respond."""

from django.urls import path

from surveys.views import respond as views

app_name = "surveys_respond"

urlpatterns = [
    path("mine/", views.my_surveys, name="mine"),
    path("mine/<int:assignment_id>/", views.answer, name="answer"),
    path("pairs/<int:pair_id>/concern/", views.concern, name="concern"),
    path("programs/<int:program_id>/concerns/", views.concerns, name="concerns"),
    path("concerns/<int:concern_id>/", views.concern_follow_up, name="concern_follow_up"),
]
