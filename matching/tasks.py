from celery import shared_task
from django.utils import timezone

from notifications import delivery
from organizations.models import Organization


@shared_task
def deliver_pair_notices_task(*, organization_id: int) -> None:
    """Email the pair notices a service has just created, rather than at the next tick.
    The reminders' delivery does it, so whatever else of the organisation's is due goes
    too, and each notice goes once however often this runs (each is locked and marked
    sent in the transaction that sends it)."""
    organization = Organization.objects.get(pk=organization_id)
    delivery.deliver(organization, timezone.now())
