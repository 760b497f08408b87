from django.contrib import admin

from organizations.models import Organization


# Memberships and everything else tenant-owned are managed inside the organisation, in
# the app: the admin site works outside any organisation, where those rows are hidden.
@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
