from django.db import transaction

from organizations.models import Membership, Organization
from organizations.roles import ROLE_FIELDS, Role


@transaction.atomic
def membership_set_roles(
    *, organization: Organization, user, roles: set[Role], is_active: bool = True
) -> Membership:
    """Give ``user`` exactly ``roles`` in ``organization``, creating the membership if new."""
    defaults = {field: role in roles for role, field in ROLE_FIELDS.items()}
    defaults["is_active"] = is_active
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults=defaults
    )
    return membership
