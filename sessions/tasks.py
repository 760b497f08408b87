"""Celery tasks of the pair's workspace: calendar invitations. The task sends each
person's email once per version of the event and retries a mail error."""

from smtplib import SMTPException

from celery import shared_task

from organizations.models import Organization
from organizations.tenancy import tenant_context
from sessions.emails import InviteBeingSent, session_invites_deliver


@shared_task(
    autoretry_for=(SMTPException, OSError, InviteBeingSent),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
)
def send_session_invite_task(
    *, organization_id: int, session_id: int, kind: str, sequence: int
) -> None:
    """Both people's invitations for one version of the event. Safe to run again (a
    redelivery after a worker died, a retry after a mail error): whoever has their email
    for this sequence is skipped (sessions.emails.send_session_invites).

    Invitations now go through the outbox (its handler is the same function); this task
    stays for what was queued before, and for operators."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        session_invites_deliver(
            organization=organization, session_id=session_id, kind=kind, sequence=sequence
        )
