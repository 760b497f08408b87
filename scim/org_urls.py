from django.urls import path

from scim import views

app_name = "scim"

urlpatterns = [
    path("scim-tokens/", views.token_list, name="tokens"),
    path("scim-tokens/<int:scim_token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
