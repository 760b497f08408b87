from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.programs, name="list"),
    path("new/", views.program_edit, name="new"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:topic_id>/", views.topic_edit, name="topic_edit"),
    path("<int:program_id>/", views.program_detail, name="detail"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/copy/", views.program_copy, name="copy"),
    path("<int:program_id>/status/", views.program_status, name="status"),
    path("<int:program_id>/cohorts/new/", views.cohort_edit, name="cohort_new"),
    path("<int:program_id>/cohorts/<int:cohort_id>/", views.cohort_edit, name="cohort_edit"),
]
