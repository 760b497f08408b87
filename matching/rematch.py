"""Asking to be matched again: a participant whose pairing ended, or whom a published
round left without a partner, asks in one click; the program manager sees the open
requests on the cohort's matching page, and a published round that pairs them answers
them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import MatchRun, Pair, RematchRequest, Unplaced
from programs.models import Participant, Program

CLOSED_STATUSES = (Program.Status.CLOSING, Program.Status.CLOSED)


def rematch_refusal(participant: Participant) -> str | None:
    """Why ``participant`` cannot ask to be matched again now, or None: the page shows
    the button only when this is None, and the service refuses with the same words."""
    if participant.status != Participant.Status.APPROVED:
        return _("Only someone taking part in the program can ask to be matched again.")
    if participant.program.status in CLOSED_STATUSES:
        return _("This program has closed to new matches, so nobody is matched any more.")
    mine = Pair.objects.filter(
        Q(mentor=participant) | Q(mentee=participant), program=participant.program_id
    )
    if mine.filter(status=Pair.Status.ACTIVE).exists():
        return _("You're paired now: to change partner, end your pairing first.")
    left_out = Unplaced.objects.filter(
        participant=participant, run__status=MatchRun.Status.PUBLISHED
    ).exists()
    if not left_out and not mine.filter(status=Pair.Status.ENDED).exists():
        return _(
            "You haven't been through a matching round yet: the program manager matches "
            "you with a partner and you'll get an email."
        )
    return None


def open_rematch_request(participant: Participant) -> RematchRequest | None:
    return RematchRequest.objects.filter(participant=participant, resolved_at__isnull=True).first()


@transaction.atomic
def rematch_request(*, participant: Participant) -> RematchRequest:
    """Record that ``participant`` asks to be matched again. Asking twice is asking once:
    the open request is returned as it is, with its first date."""
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=participant.pk)
    )
    refusal = rematch_refusal(participant)
    if refusal:
        raise ValidationError(refusal)
    existing = open_rematch_request(participant)
    if existing is not None:
        return existing
    return RematchRequest.objects.create(
        organization=participant.organization,
        program=participant.program,
        cohort_id=participant.cohort_id,
        participant=participant,
    )


def rematch_requests_answer(*, participant_ids) -> int:
    """A published round paired these people: their open requests are answered."""
    return RematchRequest.objects.filter(
        participant_id__in=list(participant_ids), resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
