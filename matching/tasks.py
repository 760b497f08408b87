from celery import shared_task

from matching.emails import send_pair_email
from matching.models import Pair
from organizations.models import Organization
from organizations.tenancy import tenant_context


@shared_task
def send_pair_email_task(*, organization_id: int, pair_id: int, kind: str) -> None:
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        pair = Pair.objects.select_related("program", "mentor__employee", "mentee__employee").get(
            pk=pair_id
        )
        send_pair_email(pair=pair, kind=kind)
