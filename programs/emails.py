from django.urls import reverse

from organizations.emails import absolute_url, send_branded_email
from programs.models import Participant

# What happened to a person's place, by the email that tells them: its new status.
KINDS = ("invited", "approved", "rejected", "withdrawn")


OUTBOX_KIND = "programs.participant_email"


def participant_email_deliver(*, organization, participant_id: int, kind: str) -> None:
    """The outbox's handler (and the task's body); runs inside the organisation."""
    participant = Participant.objects.select_related("program", "employee").get(pk=participant_id)
    send_participant_email(participant=participant, kind=kind)


def send_participant_email(*, participant: Participant, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    organization = participant.organization
    path = reverse(
        "home:participation",
        kwargs={"org_slug": organization.slug, "participant_id": participant.pk},
    )
    context = {
        "kind": Participant.Status(kind),
        "participant": participant,
        "program": participant.program,
        "organization": organization,
        "url": absolute_url(path),
    }
    send_branded_email(
        organization=organization,
        template="programs/email/participant",
        context=context,
        to=[participant.employee.email],
    )
