from celery import shared_task

from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.emails import send_participant_email
from programs.models import Participant


@shared_task
def send_participant_email_task(*, organization_id: int, participant_id: int, kind: str) -> None:
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        participant = Participant.objects.select_related("program", "employee").get(
            pk=participant_id
        )
        send_participant_email(participant=participant, kind=kind)
