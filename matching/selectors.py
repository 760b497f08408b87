from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet

from matching.models import MatchRun, Pair, RematchRequest, Unplaced
from programs.models import Cohort, Participant, ParticipantTopic


def draft_run(cohort: Cohort) -> MatchRun | None:
    """The cohort's draft under review, if any."""
    return MatchRun.objects.filter(cohort=cohort, status=MatchRun.Status.DRAFT).first()


def latest_run(cohort: Cohort) -> MatchRun | None:
    """The draft under review, else the last published run."""
    runs = MatchRun.objects.filter(cohort=cohort)
    return (
        runs.filter(status=MatchRun.Status.DRAFT).first()
        or runs.filter(status=MatchRun.Status.PUBLISHED).first()
    )


RUN_PAIR_STATUSES = [Pair.Status.PROPOSED, Pair.Status.ACTIVE]


def run_pairs(run: MatchRun) -> QuerySet[Pair]:
    return run.pairs.filter(status__in=RUN_PAIR_STATUSES).select_related(
        "mentor__employee__department", "mentee__employee__department"
    )


def score_shown(value: float) -> Decimal:
    """A score or total as every page shows it: to one decimal, halves rounded up, so
    the preview of a change and the page after it agree (341.95 is 342.0 on both)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def run_total_score(run: MatchRun) -> float:
    """The total score of the run's pairs (those proposed or active), as the draft's
    page and a change's preview both state it."""
    return sum(pair.score for pair in run.pairs.filter(status__in=RUN_PAIR_STATUSES))


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


@dataclass(frozen=True)
class ChangePreview:
    """A proposed change to a draft, as the manager reviews it: each new pair with its
    score and why, the draft's pairs it replaces, and the draft's total before and after."""

    change: object  # matching.services.Change
    rows: list[tuple[Participant, Participant, float, str]]
    replaced: list[Pair]
    total_before: float
    total_after: float

    @property
    def total_change(self) -> Decimal:
        """The change as the two totals beside it show it, so the three figures add up."""
        return score_shown(self.total_after) - score_shown(self.total_before)


def change_preview(*, run: MatchRun, change, swapped_pair_ids=None) -> ChangePreview:
    """``change`` (a swap or an override, previewed): ``swapped_pair_ids`` names the two
    pairs of a swap, the only ones it replaces."""
    participants = {
        p.pk: p
        for p in Participant.objects.filter(
            pk__in=[x for pair in change.new_pairs for x in pair]
        ).select_related("employee")
    }
    mentees = [mentee for _mentor, mentee in change.new_pairs]
    replaced = list(
        run.pairs.filter(status=Pair.Status.PROPOSED, mentee_id__in=mentees).select_related(
            "mentor__employee", "mentee__employee"
        )
    )
    if swapped_pair_ids is not None:
        replaced = [pair for pair in replaced if pair.pk in swapped_pair_ids]
    total_before = run_total_score(run)
    return ChangePreview(
        change=change,
        rows=[
            (participants[a], participants[b], change.scores[k], change.explanations[k])
            for k, (a, b) in enumerate(change.new_pairs)
        ],
        replaced=replaced,
        total_before=total_before,
        total_after=total_before + change.score_change,
    )


def cohort_rematch_requests(cohort: Cohort) -> QuerySet[RematchRequest]:
    """The cohort's open requests to be matched again, oldest first: who asked and when."""
    return RematchRequest.objects.filter(
        cohort=cohort,
        resolved_at__isnull=True,
        participant__status=Participant.Status.APPROVED,  # not those who left since
    ).select_related("participant__employee")
