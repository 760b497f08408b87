from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from matching.models import Pair
from programs.models import Participant
from programs.selectors import participations_of
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection


def my_pair(*, organization, user, pair_id) -> tuple[Pair, Participant, Participant]:
    """A pair the signed-in person is one of: (pair, me, partner). Anyone else: 404."""
    mine = participations_of(organization=organization, user=user)
    pair = get_object_or_404(
        Pair.objects.filter(Q(mentor__in=mine) | Q(mentee__in=mine))
        .exclude(status__in=[Pair.Status.PROPOSED, Pair.Status.DROPPED])
        .select_related(
            "program",
            "mentor__employee__department",
            "mentee__employee__department",
            "mentor__organization",
            "mentee__organization",
        ),
        pk=pair_id,
    )
    my_ids = set(mine.values_list("pk", flat=True))
    me, partner = (
        (pair.mentor, pair.mentee) if pair.mentor_id in my_ids else (pair.mentee, pair.mentor)
    )
    return pair, me, partner


def pair_sessions(pair: Pair) -> tuple[list, list]:
    """(upcoming, past): upcoming are scheduled and not yet over."""
    now = timezone.now()
    sessions = list(MentoringSession.objects.filter(pair=pair).order_by("starts_at"))
    upcoming = [
        s for s in sessions if s.status == MentoringSession.Status.SCHEDULED and s.ends_at > now
    ]
    past = [s for s in reversed(sessions) if s not in upcoming]
    return upcoming, past


def visible_notes(session: MentoringSession, me: Participant) -> QuerySet[Note]:
    """Shared notes of the pair and the reader's own private ones (PostgreSQL's policy
    hides other people's private notes as well)."""
    return (
        Note.objects.filter(session=session)
        .select_related("author__employee")
        .filter(Q(visibility=Note.Visibility.SHARED) | Q(author=me))
    )


def reflections(session: MentoringSession) -> QuerySet[Reflection]:
    return Reflection.objects.filter(session=session).select_related("participant__employee")


def pair_goals(pair: Pair) -> QuerySet[Goal]:
    return Goal.objects.filter(pair=pair).select_related("owner__employee")


def pair_commitments(pair: Pair) -> QuerySet[Commitment]:
    return Commitment.objects.filter(pair=pair)
