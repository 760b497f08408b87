"""What SCIM provisioning keeps of its own: the organisation's tokens, and the link from
each provisioned user and group to the directory's employee and department, with the
attributes an identity provider sends that the directory has no column for.

What the directory holds (email, job title, employee number, whether the person has
left, the department) is read from the directory itself, so an HR file import and the
identity provider never disagree about who someone is; the rows here carry only what is
SCIM's own (the identity provider's userName and externalId, the name as it splits it).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from organizations.tenancy import TenantModel


class ScimToken(TenantModel):
    """A bearer token for the organisation's SCIM endpoint. Shown once, when made; only
    its hash is stored. The organisation's address is part of the token, so one base URL
    (/scim/v2/) serves every organisation, as for API keys."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=80)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SCIM token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimUser(TenantModel):
    """A user the identity provider provisioned: its directory entry and what is SCIM's
    own. Deleting it (a SCIM DELETE) leaves the employee in the directory, as left."""

    # On PostgreSQL the composite same-organisation key (organizations.rls) also holds it.
    employee = models.OneToOneField(
        "directory.Employee", on_delete=models.CASCADE, related_name="scim_user"
    )
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    formatted_name = models.CharField(max_length=200, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    email_type = models.CharField(max_length=64, blank=True)
    email_primary = models.BooleanField(null=True)
    # Whether the identity provider gave the employee number (else the directory made one
    # up, and SCIM does not show it as the provider's).
    employee_number_given = models.BooleanField(default=False)
    # Whether the identity provider says whether the person is active: ``active`` is shown
    # only then (RFC 7644: a removed attribute is unassigned); when it does not, whether
    # the person has left is the directory's alone.
    active_given = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # userName is unique per organisation, case aside (RFC 7643: caseExact false).
            models.UniqueConstraint(
                "organization", Lower("user_name"), name="scim_user_unique_user_name"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(TenantModel):
    """A group the identity provider provisioned: a department of the directory."""

    department = models.OneToOneField(
        "directory.Department", on_delete=models.CASCADE, related_name="scim_group"
    )
    external_id = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Group of department {self.department_id}"
