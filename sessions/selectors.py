from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from matching.models import Pair
from programs.models import Participant, Resource
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


def mentor_places(*, organization, user) -> QuerySet[Participant]:
    """The person's approved places as a mentor: the programs whose support circles are
    theirs to attend."""
    return participations_of(organization=organization, user=user).filter(
        role=Participant.Role.MENTOR, status=Participant.Status.APPROVED
    )


def pair_sessions(pair: Pair) -> tuple[list, list]:
    """(upcoming, past): upcoming are those booked or cancelled whose time is still to
    come (a cancelled one is shown there marked cancelled: it never happened, so it is not
    a past session); past are the rest, the logged ones and those whose time has gone."""
    now = timezone.now()
    sessions = list(MentoringSession.objects.filter(pair=pair).order_by("starts_at"))
    still_to_come = (MentoringSession.Status.SCHEDULED, MentoringSession.Status.CANCELLED)
    upcoming = [s for s in sessions if s.status in still_to_come and s.ends_at > now]
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


def my_reflection(session: MentoringSession, me: Participant) -> Reflection | None:
    return Reflection.objects.filter(session=session, participant=me).first()


def pair_goals(pair: Pair, *, today: date | None = None) -> QuerySet[Goal]:
    """The pair's goals, each with ``overdue``: still open and due before ``today`` (the
    reader's own day: a goal due today is not late yet in their time zone)."""
    today = today or timezone.localdate()
    overdue = Q(status=Goal.Status.OPEN, due_date__lt=today)
    return (
        Goal.objects.filter(pair=pair)
        .select_related("owner__employee")
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
    )


def held_sessions(pair: Pair) -> QuerySet[MentoringSession]:
    """The pair's sessions that took place, the latest first."""
    return MentoringSession.objects.filter(pair=pair, status=MentoringSession.Status.HELD).order_by(
        "-starts_at", "-pk"
    )


def pair_commitments(pair: Pair) -> QuerySet[Commitment]:
    return Commitment.objects.filter(pair=pair).select_related("session")


def default_agendas(program_id: int) -> tuple[str, str]:
    """(the agenda a pair's first session starts with, the one later sessions start
    with): the bodies of the program's agenda templates marked for those purposes
    (``Resource.purpose``), whatever they are called and wherever they are listed; empty
    where the program has marked none."""
    bodies = dict(
        Resource.objects.filter(
            program=program_id,
            kind=Resource.Kind.AGENDA,
            purpose__in=[Resource.Purpose.FIRST_SESSION, Resource.Purpose.REGULAR],
        ).values_list("purpose", "body")
    )
    return bodies.get(Resource.Purpose.FIRST_SESSION, ""), bodies.get(Resource.Purpose.REGULAR, "")


def agenda_default(pair: Pair) -> str:
    """The agenda a new session of the pair starts with: the first-session one while
    the pair has had no session (a cancelled one does not count), the regular one after."""
    first, regular = default_agendas(pair.program_id)
    had_one = (
        MentoringSession.objects.filter(pair=pair)
        .exclude(status=MentoringSession.Status.CANCELLED)
        .exists()
    )
    return regular if had_one else first
