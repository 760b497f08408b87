"""What a program manager sees of the pairs' activity: dates, counts, ratings and
statuses, never what anyone wrote.

Confidentiality is structural here: these queries read only the columns they count
(``values()`` and ``only()``), never a note, a reflection's learned or taught text, a
commitment's or a goal's wording, an agenda or a pair's end reason; ``Note`` is not even
imported. And they are few: a fixed number of queries per program however many pairs it
has, aggregated in Python."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from matching.models import Pair
from programs.models import Participant, Program
from sessions import cadence as rhythm
from sessions.models import (
    CircleAttendance,
    CircleRsvp,
    Commitment,
    Conversation,
    Goal,
    MentoringSession,
    Reflection,
    SessionChange,
    SupportCircle,
)

ROLES = (Participant.Role.MENTOR, Participant.Role.MENTEE)
CADENCE_STATUSES = [(s, rhythm.LABELS[s]) for s in (rhythm.ON_TRACK, rhythm.BEHIND, rhythm.QUIET)]


@dataclass(frozen=True)
class Reliability:
    """One role's share of sessions that it cancelled or moved late: a pair's, or (summed
    over the pairs) a program's or a cohort's."""

    role: str
    label: str
    count: int
    sessions: int

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage; None with no sessions to share out."""
        return round(100 * self.count / self.sessions) if self.sessions else None


@dataclass
class PairActivity:
    pair_id: int
    cohort_id: int
    cohort_name: str
    mentor_name: str
    mentee_name: str
    status: str
    status_label: str
    paired_at: datetime
    ended_at: datetime | None
    cadence: rhythm.Cadence
    sessions: int = 0
    next_scheduled: datetime | None = None
    average_rating: float | None = None
    ratings: int = 0
    goals_done: int = 0
    goals_total: int = 0
    # The date of the pair's last message: all a manager knows of their conversation.
    last_contact: datetime | None = None
    reliability: list[Reliability] = field(default_factory=list)

    @property
    def is_ended(self) -> bool:
        return self.status == Pair.Status.ENDED

    @property
    def held(self) -> int:
        return self.cadence.held

    @property
    def planned(self) -> int:
        return self.cadence.planned

    @property
    def last_held(self) -> datetime | None:
        return self.cadence.last_session


def published_pairs(program: Program, *, cohort_id: int | None = None):
    """The program's published pairs (active and ended), optionally of one cohort."""
    pairs = Pair.objects.filter(program=program, status__in=[Pair.Status.ACTIVE, Pair.Status.ENDED])
    return pairs.filter(cohort_id=cohort_id) if cohort_id else pairs


def program_pairs(program: Program, *, cohort_id: int | None = None):
    """The published pairs with only the columns the list shows: each pair's people by
    name (never the match explanation or an end reason)."""
    return (
        published_pairs(program, cohort_id=cohort_id)
        .select_related("cohort", "mentor__employee", "mentee__employee")
        .only(
            "pk",
            "status",
            "published_at",
            "ended_at",
            "cohort_id",
            "cohort__name",
            "cohort__start_date",
            "mentor_id",
            "mentor__employee__name",
            "mentee_id",
            "mentee__employee__name",
        )
        .order_by("cohort__start_date", "mentor__employee__name", "pk")
    )


def pair_activity(program: Program, *, cohort_id: int | None = None, now=None):
    """One PairActivity per published pair of the program, in six queries.

    An ended pair's cadence is measured as it stood when the pair ended; every pair's
    from when it began (``cadence.pair_began``), as the reminders and reports count it."""
    now = now or timezone.now()
    zone = program.organization.zone
    pairs = list(program_pairs(program, cohort_id=cohort_id))
    if not pairs:
        return []
    # The same pairs again as a subquery: no list of ids however large the program.
    ids = published_pairs(program, cohort_id=cohort_id).values("pk")
    in_pairs = {"pair_id__in": ids}

    held_starts: dict[int, list[datetime]] = defaultdict(list)
    booked: dict[int, list[datetime]] = defaultdict(list)
    sessions: Counter = Counter()
    for pair_id, status, starts_at in MentoringSession.objects.filter(**in_pairs).values_list(
        "pair_id", "status", "starts_at"
    ):
        sessions[pair_id] += 1
        if status == MentoringSession.Status.HELD:
            held_starts[pair_id].append(starts_at)
        elif status == MentoringSession.Status.SCHEDULED:
            booked[pair_id].append(starts_at)

    ratings = {
        row["session__pair_id"]: (row["average"], row["n"])
        for row in Reflection.objects.filter(session__pair_id__in=ids)
        .values("session__pair_id")
        .annotate(average=Avg("rating"), n=Count("pk"))
        .order_by()
    }
    goals = {
        row["pair_id"]: (row["done"], row["total"])
        for row in Goal.objects.filter(**in_pairs)
        .values("pair_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Goal.Status.DONE)))
        .order_by()
    }
    # A session counts once per role, however often that role moved or cancelled it.
    unreliable = {
        (row["session__pair_id"], row["requested_by_role"]): row["n"]
        for row in SessionChange.objects.filter(session__pair_id__in=ids)
        .filter(Q(kind=SessionChange.Kind.CANCELLED) | Q(hours_notice__lt=SessionChange.LATE_HOURS))
        .values("session__pair_id", "requested_by_role")
        .annotate(n=Count("session", distinct=True))
        .order_by()
    }

    contact = dict(
        Conversation.objects.filter(**in_pairs, last_message_at__isnull=False).values_list(
            "pair_id", "last_message_at"
        )
    )

    role_labels = dict(Participant.Role.choices)
    status_labels = dict(Pair.Status.choices)
    rows = []
    for pair in pairs:
        paired_at = rhythm.pair_began(
            published_at=pair.published_at or now,
            cohort_start=pair.cohort.start_date,
            zone=zone,
        )
        as_of = pair.ended_at if pair.status == Pair.Status.ENDED and pair.ended_at else now
        upcoming = [s for s in booked[pair.pk] if s >= as_of]
        average, n_ratings = ratings.get(pair.pk, (None, 0))
        done, total = goals.get(pair.pk, (0, 0))
        rows.append(
            PairActivity(
                pair_id=pair.pk,
                cohort_id=pair.cohort_id,
                cohort_name=pair.cohort.name,
                mentor_name=pair.mentor.employee.name,
                mentee_name=pair.mentee.employee.name,
                status=pair.status,
                status_label=str(status_labels[pair.status]),
                paired_at=paired_at,
                ended_at=pair.ended_at,
                cadence=rhythm.cadence(
                    now=as_of,
                    paired_at=paired_at,
                    held_starts=[s for s in held_starts[pair.pk] if s <= as_of],
                    next_scheduled=min(upcoming) if upcoming else None,
                    sessions_per_month=program.sessions_per_month,
                    planned=program.planned_sessions,
                    last_contact=_until(contact.get(pair.pk), as_of),
                ),
                sessions=sessions[pair.pk],
                last_contact=contact.get(pair.pk),
                next_scheduled=min(upcoming) if upcoming else None,
                average_rating=float(average) if average is not None else None,
                ratings=n_ratings,
                goals_done=done,
                goals_total=total,
                reliability=[
                    Reliability(
                        role=role,
                        label=str(role_labels[role]),
                        count=unreliable.get((pair.pk, role), 0),
                        sessions=sessions[pair.pk],
                    )
                    for role in ROLES
                ],
            )
        )
    return rows


def _until(moment: datetime | None, as_of: datetime) -> datetime | None:
    return moment if moment is not None and moment <= as_of else None


def reliability_by_role(rows: list[PairActivity]) -> list[Reliability]:
    """Per role, over the given pairs: the sessions that role cancelled or moved late
    (with less than SessionChange.LATE_HOURS' notice), out of all their sessions. Senior
    people cancelling is how reverse mentoring pairs most often die: this shows it."""
    total = sum(row.sessions for row in rows)
    counts: Counter = Counter()
    for row in rows:
        for reliability in row.reliability:
            counts[reliability.role] += reliability.count
    labels = dict(Participant.Role.choices)
    return [Reliability(role, str(labels[role]), counts[role], total) for role in ROLES]


def cadence_counts(rows: list[PairActivity]) -> list[tuple[str, str, int]]:
    """(status, label, how many pairs) for each cadence status, in a fixed order."""
    counts = Counter(row.cadence.status for row in rows)
    return [(status, label, counts[status]) for status, label in CADENCE_STATUSES]


def commitment_counts(program: Program, *, cohort_id: int | None = None):
    """Commitments of the program's pairs counted by theme and status, one query: a row
    per theme ``(label, [count per status], total)`` and the totals by status. Counts only."""
    commitments = Commitment.objects.filter(
        pair_id__in=published_pairs(program, cohort_id=cohort_id).values("pk")
    )
    counted = {
        (row["theme"], row["status"]): row["n"]
        for row in commitments.values("theme", "status").annotate(n=Count("pk")).order_by()
    }
    statuses = Commitment.Status.choices
    themes = [
        (
            str(label),
            [counted.get((theme, status), 0) for status, _l in statuses],
            sum(counted.get((theme, status), 0) for status, _l in statuses),
        )
        for theme, label in Commitment.Theme.choices
    ]
    totals = [
        sum(counted.get((t, status), 0) for t, _l in Commitment.Theme.choices)
        for status, _l in statuses
    ]
    return {
        "statuses": [str(label) for _s, label in statuses],
        "themes": themes,
        "totals": totals,
        "total": sum(totals),
    }


def circle_mentors(program: Program, circle: SupportCircle | None = None):
    """Who a support circle is for: the program's mentors who are approved or were paired
    (an ended pair's mentor may have withdrawn since) and, for a given circle, the mentors
    already recorded for it. Mentors only, by name."""
    paired = published_pairs(program).values("mentor_id")
    who = Q(status=Participant.Status.APPROVED) | Q(pk__in=paired)
    if circle is not None:
        who |= Q(pk__in=CircleAttendance.objects.filter(circle=circle).values("participant_id"))
        who |= Q(pk__in=CircleRsvp.objects.filter(circle=circle).values("participant_id"))
    return (
        Participant.objects.filter(program=program, role=Participant.Role.MENTOR)
        .filter(who)
        .select_related("employee", "cohort")
        .order_by("employee__name", "pk")
    )


def program_circles(program: Program):
    """The program's circles, each with how many came and how many said they would."""
    going = CircleRsvp.objects.filter(circle=OuterRef("pk"), going=True)
    return SupportCircle.objects.filter(program=program).annotate(
        attended=Count("attendance", filter=Q(attendance__attended=True)),
        going_count=Coalesce(
            Subquery(
                going.order_by().values("circle").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
    )


@dataclass(frozen=True)
class CircleAnswers:
    """Who said they are coming to a circle, and who said no, by name."""

    going: list[Participant]
    not_going: list[Participant]


def circle_answers(circle: SupportCircle) -> CircleAnswers:
    rsvps = (
        CircleRsvp.objects.filter(circle=circle)
        .select_related("participant__employee")
        .order_by("participant__employee__name", "pk")
    )
    going, not_going = [], []
    for rsvp in rsvps:
        (going if rsvp.going else not_going).append(rsvp.participant)
    return CircleAnswers(going=going, not_going=not_going)


def circle_attendance(circle: SupportCircle, mentors) -> list[tuple[Participant, bool, int]]:
    """(mentor, attended this circle, circles of the program they attended) per mentor."""
    here = set(
        CircleAttendance.objects.filter(circle=circle, attended=True).values_list(
            "participant_id", flat=True
        )
    )
    overall = dict(
        CircleAttendance.objects.filter(circle__program_id=circle.program_id, attended=True)
        .values("participant_id")
        .annotate(n=Count("pk"))
        .values_list("participant_id", "n")
        .order_by()
    )
    return [(m, m.pk in here, overall.get(m.pk, 0)) for m in mentors]
