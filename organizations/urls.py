from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("members/", views.member_list_view, name="member_list"),
    path("members/<int:membership_id>/", views.member_detail, name="member_detail"),
    path(
        "members/<int:membership_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "members/<int:membership_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path("invitations/", views.invitation_list_view, name="invitation_list"),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/", views.organization_settings, name="settings"),
    path("logo/", views.organization_logo, name="logo"),
    path("api-keys/", views.api_key_list, name="api_keys"),
    path("api-keys/<int:api_key_id>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
