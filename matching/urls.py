from django.urls import path

from matching import views

app_name = "matching"

cohort = "<int:program_id>/cohorts/<int:cohort_id>/matching/"
urlpatterns = [
    path(cohort, views.cohort_matching, name="cohort"),
    path(cohort + "run/", views.run_matching, name="run"),
    path(cohort + "runs/<int:run_id>/swap/", views.swap, name="swap"),
    path(cohort + "runs/<int:run_id>/override/", views.override, name="override"),
    path(cohort + "runs/<int:run_id>/publish/", views.publish, name="publish"),
    path(cohort + "pairs/<int:pair_id>/lock/", views.lock, name="lock"),
    path(cohort + "pairs/<int:pair_id>/end/", views.end_pair, name="end"),
    path("mine/<int:participant_id>/choose/", views.choose_mentor, name="choose"),
    path("mine/<int:participant_id>/rematch/", views.ask_rematch, name="rematch"),
    path(
        "mine/<int:participant_id>/pairs/<int:pair_id>/end/",
        views.end_own_pair,
        name="end_own",
    ),
]
