"""Survey routes: results."""

from django.urls import path

from surveys.views import results as views

app_name = "surveys_results"

urlpatterns = [
    path("<int:survey_id>/results/", views.survey_results_page, name="survey"),
    path("<int:survey_id>/results.csv", views.survey_results_export, name="export"),
    path("programs/<int:program_id>/stories/", views.program_stories, name="stories"),
    path("stories/<int:story_id>/feature/", views.story_feature, name="feature"),
]
