"""Survey routes: builder."""

from django.urls import path

from surveys.views import builder as views

app_name = "surveys_builder"

urlpatterns = [
    # A program's surveys and the organisation's library of templates.
    path("programs/<int:program_id>/", views.program_surveys, name="program"),
    path("programs/<int:program_id>/new/", views.survey_new, name="new"),
    path("programs/<int:program_id>/library/", views.library_add, name="library_add"),
    path(
        "programs/<int:program_id>/templates/<int:survey_id>/use/",
        views.template_use,
        name="template_use",
    ),
    # The editor.
    path("<int:survey_id>/", views.survey_detail, name="survey"),
    path("<int:survey_id>/settings/", views.survey_settings, name="settings"),
    path("<int:survey_id>/preview/", views.survey_preview, name="preview"),
    path("<int:survey_id>/questions/new/", views.question_new, name="question_new"),
    path(
        "<int:survey_id>/questions/<int:survey_question_id>/",
        views.question_edit,
        name="question",
    ),
    path(
        "<int:survey_id>/questions/<int:survey_question_id>/move/",
        views.question_move,
        name="question_move",
    ),
    # Sending.
    path("<int:survey_id>/schedules/new/", views.schedule_new, name="schedule_new"),
    path(
        "<int:survey_id>/schedules/<int:schedule_id>/delete/",
        views.schedule_delete,
        name="schedule_delete",
    ),
]
