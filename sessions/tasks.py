"""Celery tasks of the pair's workspace: calendar invitations (each person's email once
per version of the event, a mail error retried) and the messages' retention sweep."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from organizations.models import Organization
from organizations.tasks import each_organization
from organizations.tenancy import tenant_context
from sessions.conversation import messages_purge
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


@shared_task
def messages_purge_task() -> None:
    """Daily: each organisation's conversations of pairs ended more than its retention
    ago, and their messages (sessions.conversation.messages_purge)."""
    now = timezone.now()

    def purge(organization):
        with tenant_context(organization=organization):
            return messages_purge(organization=organization, now=now)

    each_organization(purge, what="Message retention")
