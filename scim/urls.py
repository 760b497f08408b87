"""/scim/v2/: one base URL for every organisation (the token names it)."""

from django.urls import path, re_path

from scim import views

urlpatterns = [
    path("ServiceProviderConfig", views.service_provider_config, name="scim_config"),
    path("Schemas", views.schema_list, name="scim_schemas"),
    path("Schemas/<str:scim_schema_id>", views.schema_list, name="scim_schema"),
    path("ResourceTypes", views.resource_type_list, name="scim_resource_types"),
    path(
        "ResourceTypes/<str:scim_resource_type_id>",
        views.resource_type_list,
        name="scim_resource_type",
    ),
    path("Users", views.user_list, name="scim_users"),
    path("Users/<str:scim_user_id>", views.user_detail, name="scim_user"),
    path("Groups", views.group_list, name="scim_groups"),
    path("Groups/<str:scim_group_id>", views.group_detail, name="scim_group"),
    path(".search", views.search, name="scim_search"),
    # Anything else: SCIM's own 404 (JSON), not the site's page.
    re_path(r"^.*$", views.unknown, name="scim_unknown"),
]
