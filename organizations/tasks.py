import logging

from celery import shared_task

from organizations.emails import send_invitation_email
from organizations.models import Invitation, Organization
from organizations.tenancy import tenant_context

logger = logging.getLogger(__name__)


@shared_task
def send_invitation_email_task(*, organization_id: int, invitation_id: int, token: str) -> None:
    # Organization is the tenant itself (not tenant-owned), so it loads unscoped; the
    # invitation is read inside it.
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        invitation = Invitation.objects.select_related("invited_by").get(pk=invitation_id)
        send_invitation_email(invitation=invitation, token=token)


def each_organization(work, *, what: str) -> list:
    """Run ``work(organization)`` for every organisation and return what each gave;
    ``work`` enters the tenant context itself, as its transactions need. One
    organisation's failure does not hold up the others; the task still fails afterwards,
    so that it shows. ``what`` names the work in the log."""
    results, failed = [], []
    # Organization is the tenant itself (not tenant-owned): listing them needs no scope.
    for organization in Organization.objects.order_by("pk"):
        try:
            results.append(work(organization))
        except Exception:
            logger.exception("%s for organisation %s failed", what, organization.slug)
            failed.append(organization.slug)
    if failed:
        raise RuntimeError(f"{what} failed for: {', '.join(failed)}")
    return results
