from django.db.models import Prefetch, Q, QuerySet

from matching.models import MatchRun, Pair, Unplaced
from programs.models import Cohort, Participant, ParticipantTopic


def latest_run(cohort: Cohort) -> MatchRun | None:
    """The draft under review, else the last published run."""
    runs = MatchRun.objects.filter(cohort=cohort)
    return (
        runs.filter(status=MatchRun.Status.DRAFT).first()
        or runs.filter(status=MatchRun.Status.PUBLISHED).first()
    )


def run_pairs(run: MatchRun) -> QuerySet[Pair]:
    return run.pairs.filter(status__in=[Pair.Status.PROPOSED, Pair.Status.ACTIVE]).select_related(
        "mentor__employee__department", "mentee__employee__department"
    )


def run_unplaced(run: MatchRun) -> QuerySet[Unplaced]:
    return run.unplaced.select_related("participant__employee")


def cohort_active_pairs(cohort: Cohort) -> QuerySet[Pair]:
    return Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE).select_related(
        "mentor__employee", "mentee__employee"
    )


def cohort_ended_pairs(cohort: Cohort) -> QuerySet[Pair]:
    """The cohort's ended pairs, latest first, with who ended each and why: for program
    managers only (the two people never see the reason)."""
    return (
        Pair.objects.filter(cohort=cohort, status=Pair.Status.ENDED)
        .select_related("mentor__employee", "mentee__employee", "ended_by__user")
        .order_by("-ended_at", "-pk")
    )


def pairs_of(participant: Participant) -> QuerySet[Pair]:
    """A person's published pairs in their program, live ones first, with the topics
    each of the two teaches and wants to learn (the partner's profile shows them)."""
    topics = ParticipantTopic.objects.select_related("topic").order_by("kind", "topic__name")
    return (
        Pair.objects.filter(
            Q(mentor=participant) | Q(mentee=participant),
            status__in=[Pair.Status.ACTIVE, Pair.Status.ENDED],
        )
        .select_related("mentor__employee__department", "mentee__employee__department")
        .prefetch_related(
            Prefetch("mentor__topics", queryset=topics),
            Prefetch("mentee__topics", queryset=topics),
        )
        .order_by("status", "-published_at")
    )


def cohort_paired_ids(cohort: Cohort) -> tuple[set[int], set[int]]:
    """The cohort's participants ever in a published pair, and those in an active pair
    now (the enrolment funnel's last two stages: programs.selectors.cohort_people)."""
    published = Pair.objects.filter(
        cohort=cohort, status__in=[Pair.Status.ACTIVE, Pair.Status.ENDED]
    ).values_list("mentor_id", "mentee_id", "status")
    matched, active = set(), set()
    for mentor_id, mentee_id, status in published:
        matched |= {mentor_id, mentee_id}
        if status == Pair.Status.ACTIVE:
            active |= {mentor_id, mentee_id}
    return matched, active
