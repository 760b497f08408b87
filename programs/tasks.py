from celery import shared_task

from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.emails import participant_email_deliver


@shared_task
def send_participant_email_task(*, organization_id: int, participant_id: int, kind: str) -> None:
    """These emails now go through the outbox (its handler is the same function); this
    task stays for what was queued before."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        participant_email_deliver(
            organization=organization, participant_id=participant_id, kind=kind
        )
