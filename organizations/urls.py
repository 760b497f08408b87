from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/", views.member_list_view, name="member_list"),
]
