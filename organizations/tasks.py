from celery import shared_task

from organizations.emails import send_invitation_email
from organizations.models import Invitation, Organization
from organizations.tenancy import tenant_context


@shared_task
def send_invitation_email_task(*, organization_id: int, invitation_id: int, token: str) -> None:
    # Organization is the tenant itself (not tenant-owned), so it loads unscoped; the
    # invitation is read inside it.
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        invitation = Invitation.objects.select_related("invited_by").get(pk=invitation_id)
        send_invitation_email(invitation=invitation, token=token)
