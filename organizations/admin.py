from django.contrib import admin

from organizations.forms import OrganizationAdminForm
from organizations.models import Organization


# Memberships and everything else tenant-owned are managed inside the organisation, in
# the app: the admin site works outside any organisation, where those rows are hidden.
@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting would cascade into the append-only audit log (which PostgreSQL refuses
        # the app role, answering 500) and take every organisation's record with it.
        return False
