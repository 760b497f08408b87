from celery import shared_task

from organizations.models import Organization
from organizations.tenancy import tenant_context
from sessions.emails import send_session_invites
from sessions.models import MentoringSession


@shared_task
def send_session_invite_task(
    *, organization_id: int, session_id: int, kind: str, sequence: int
) -> None:
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        session = MentoringSession.objects.select_related(
            "pair__program", "pair__mentor__employee", "pair__mentee__employee"
        ).get(pk=session_id)
        if session.sequence != sequence:
            return  # a later change sends its own update, which supersedes this one
        send_session_invites(session=session, kind=kind)
