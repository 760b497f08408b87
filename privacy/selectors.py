from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.models import Membership, Organization
from privacy.models import DataExport

EXPORTS_SHOWN = 5


def export_list(*, organization: Organization, membership: Membership) -> QuerySet[DataExport]:
    """A person's latest exports (their own only)."""
    return DataExport.objects.filter(organization=organization, membership=membership)[
        :EXPORTS_SHOWN
    ]


def export_get_for_download(*, organization: Organization, user, export_id: int) -> DataExport:
    """The export, if it is this person's: anyone else's (an admin's included) is 404, as
    if it did not exist."""
    return get_object_or_404(
        DataExport, pk=export_id, organization=organization, user=user, membership__is_active=True
    )


def member_get(*, organization: Organization, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=organization
    )
