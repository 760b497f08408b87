from django.urls import path

from programs.views import content as content_views
from programs.views import enrolment as enrolment_views
from programs.views import participant as participant_views
from programs.views import programs as views

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
    path("<int:program_id>/cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    # Enrolment, for program managers.
    path(
        "<int:program_id>/cohorts/<int:cohort_id>/",
        enrolment_views.cohort_detail,
        name="cohort",
    ),
    path(
        "<int:program_id>/cohorts/<int:cohort_id>/people.csv",
        enrolment_views.cohort_export,
        name="cohort_export",
    ),
    path(
        "<int:program_id>/cohorts/<int:cohort_id>/invite/",
        enrolment_views.cohort_invite,
        name="cohort_invite",
    ),
    path(
        "<int:program_id>/people/<int:participant_id>/",
        enrolment_views.participant_review,
        name="participant",
    ),
    path(
        "<int:program_id>/people/<int:participant_id>/decide/",
        enrolment_views.participant_decide,
        name="participant_decide",
    ),
    # Training, reading and the program's own questions.
    path("<int:program_id>/training/new/", content_views.training_edit, name="training_new"),
    path(
        "<int:program_id>/training/<int:module_id>/",
        content_views.training_edit,
        name="training_edit",
    ),
    path(
        "<int:program_id>/training/<int:module_id>/file/",
        content_views.training_file,
        name="training_file",
    ),
    path("<int:program_id>/resources/new/", content_views.resource_edit, name="resource_new"),
    path(
        "<int:program_id>/resources/<int:resource_id>/",
        content_views.resource_edit,
        name="resource_edit",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/file/",
        content_views.resource_file,
        name="resource_file",
    ),
    path("<int:program_id>/questions/new/", content_views.question_edit, name="question_new"),
    path(
        "<int:program_id>/questions/<int:question_id>/",
        content_views.question_edit,
        name="question_edit",
    ),
    # Taking part.
    path("mine/<int:participant_id>/apply/", participant_views.apply, name="apply"),
    path("mine/<int:participant_id>/withdraw/", participant_views.withdraw, name="withdraw"),
    path(
        "mine/<int:participant_id>/training/<int:module_id>/",
        participant_views.training_toggle,
        name="training_toggle",
    ),
    path("cohorts/<int:cohort_id>/join/", participant_views.nominate, name="nominate"),
]
