from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from matching.models import Pair
from programs.defaults import RESOURCES
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


# The agenda templates a program starts with (programs.defaults), in their order there:
# the first session's, a regular session's, the closing session's.
FIRST, REGULAR, CLOSING = [t for kind, t, _body in RESOURCES if kind == Resource.Kind.AGENDA]


def _is(agenda: Resource, default) -> bool:
    """Whether ``agenda`` is one of the program's defaults, by its title in whichever of
    the languages it was created in. Position is no marker: managers reorder the list."""
    title = agenda.title.strip().casefold()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if title == str(default).strip().casefold():
                return True
    return False


def default_agendas(program_id: int) -> tuple[str, str]:
    """(the agenda a pair's first session starts with, the one later sessions start
    with): the program's first-session agenda (getting to know each other, agreeing
    goals) and its regular one, found by what they are, not where they are listed. A
    program whose agendas are all its own: the first of them, never the closing one."""
    agendas = list(
        Resource.objects.filter(program=program_id, kind=Resource.Kind.AGENDA).order_by(
            "position", "pk"
        )
    )
    if not agendas:
        return "", ""

    def pick(wanted, unwanted) -> str:
        for agenda in agendas:
            if _is(agenda, wanted):
                return agenda.body
        others = [a for a in agendas if not any(_is(a, u) for u in unwanted)]
        return (others or agendas)[0].body

    return pick(FIRST, (CLOSING,)), pick(REGULAR, (CLOSING, FIRST))


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
