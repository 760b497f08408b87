from django.urls import path

from home.views import overview as views
from home.views import participant as participant_views

app_name = "home"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("programs/mine/", participant_views.my_programs, name="my_programs"),
    path(
        "programs/mine/<int:participant_id>/",
        participant_views.participation,
        name="participation",
    ),
]
