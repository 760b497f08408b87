from django.urls import path

from sessions.views import calendar
from sessions.views import pair as views

app_name = "mentoring"

pair = "pairs/<int:pair_id>/"
urlpatterns = [
    path(pair, views.pair_workspace, name="pair"),
    path(pair + "end/", views.pair_end_confirm, name="pair_end"),
    path(pair + "messages/", views.message_send, name="message_send"),
    path(pair + "sessions/new/", views.session_new, name="session_new"),
    path(pair + "sessions/log/", views.session_log, name="session_log_unscheduled"),
    path(pair + "sessions/<int:session_id>/", views.session_detail, name="session"),
    path(
        pair + "sessions/<int:session_id>/reschedule/",
        views.session_reschedule,
        name="session_reschedule",
    ),
    path(pair + "sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path(pair + "sessions/<int:session_id>/log/", views.session_log, name="session_log"),
    path(pair + "sessions/<int:session_id>/session.ics", calendar.session_ics, name="session_ics"),
    path("circles/<int:circle_id>/circle.ics", calendar.circle_ics_download, name="circle_ics"),
    path("circles/<int:circle_id>/answer/", calendar.circle_rsvp, name="circle_rsvp"),
    path("calendar/", calendar.calendar_feed_settings, name="calendar_feed_settings"),
    path(
        pair + "sessions/<int:session_id>/reflection/",
        views.reflection_edit,
        name="reflection_edit",
    ),
    path(pair + "goals/", views.goal_add, name="goal_add"),
    path(pair + "goals/<int:goal_id>/", views.goal_status, name="goal_status"),
    path(pair + "goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path(pair + "commitments/", views.commitment_add, name="commitment_add"),
    path(
        pair + "commitments/<int:commitment_id>/",
        views.commitment_status,
        name="commitment_status",
    ),
]
