"""The root URLs: every app's pages under /o/<slug>/, the API under /api/v1/, SCIM
provisioning under /scim/v2/."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config.health import healthz, healthz_live
from home.views import overview as home_views
from identity import views as identity_views
from organizations import views as organization_views
from sessions.views import calendar as calendar_views

# The admin site signs people in through allauth too: rate limits and two-factor apply.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("healthz/live", healthz_live, name="healthz-live"),
    path("accounts/language/", account_views.language_settings, name="account_language"),
    # The email first, then the password or the organisation's identity provider.
    path("accounts/login/", identity_views.EmailFirstLoginView.as_view(), name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("o/<slug:org_slug>/", include("home.org_urls")),
    path("o/<slug:org_slug>/", include("organizations.urls")),
    path("o/<slug:org_slug>/", include("directory.urls")),
    path("o/<slug:org_slug>/", include("identity.urls")),
    path("o/<slug:org_slug>/", include("scim.org_urls")),
    path("o/<slug:org_slug>/programs/", include("programs.urls")),
    path("o/<slug:org_slug>/programs/", include("matching.urls")),
    path("o/<slug:org_slug>/programs/", include("sessions.urls")),
    path("o/<slug:org_slug>/programs/", include("sessions.manager_urls")),
    path("o/<slug:org_slug>/notifications/", include("notifications.urls")),
    path("o/<slug:org_slug>/surveys/", include("surveys.builder_urls")),
    path("o/<slug:org_slug>/surveys/", include("surveys.results_urls")),
    path("o/<slug:org_slug>/surveys/", include("surveys.respond_urls")),
    path("o/<slug:org_slug>/reports/", include("reports.urls")),
    path("o/<slug:org_slug>/", include("privacy.urls")),
    # Not under /o/<slug>/: whoever follows the link is not a member yet.
    path(
        "invitations/<slug:organization_slug>/<str:token>/",
        organization_views.invitation_accept,
        name="invitation_accept",
    ),
    # Not under /o/<slug>/ either: whoever reads the domain's mailbox need not be a member.
    path(
        "sso/domains/<slug:organization_slug>/<str:domain_token>/",
        identity_views.domain_confirm,
        name="sso_domain_confirm",
    ),
    # Not under /o/<slug>/ either: calendar apps fetch it without signing in; the
    # token in the address is the credential.
    path(
        "calendar/<slug:organization_slug>/<str:feed_token>.ics",
        calendar_views.calendar_feed,
        name="calendar_feed",
    ),
    path("api/v1/", include("home.api_urls")),
    # SCIM 2.0 provisioning: one base URL; the bearer token names the organisation.
    path("scim/v2/", include("scim.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"

# Uploads are never served from /media/, not even with DEBUG on: each is the organisation's
# own, and a view under /o/<slug>/ checks who may download it (organizations:logo,
# programs:training_file, programs:resource_file).
