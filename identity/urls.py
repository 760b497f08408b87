from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("sso/", views.sso_settings, name="sso"),
    path("sso/domains/", views.domain_add, name="domain_add"),
    path("sso/domains/<int:email_domain_id>/verify/", views.domain_verify, name="domain_verify"),
    path("sso/domains/<int:email_domain_id>/email/", views.domain_email, name="domain_email"),
    path("sso/domains/<int:email_domain_id>/remove/", views.domain_remove, name="domain_remove"),
]
