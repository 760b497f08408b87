"""The second mode: mentees choose their mentor from their top suggestions. A mentor's
last place goes to one mentee only, however many choose at the same moment."""

from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import engine
from matching.explain import PairExplainer
from matching.models import MatchRun, Pair
from matching.notices import notices_send, pair_published
from matching.problem import build_problem
from matching.rematch import rematch_requests_answer
from programs.models import Cohort, Participant, Program

SUGGESTIONS = 5


@dataclass(frozen=True)
class Suggestion:
    mentor: Participant
    score: float
    explanation: str


def _choosing(participant: Participant) -> bool:
    program = participant.program
    return (
        program.matching_mode == Program.MatchingMode.MENTEE_CHOICE
        and program.status in (Program.Status.MATCHING, Program.Status.ACTIVE)
        and participant.role == Participant.Role.MENTEE
        and participant.status == Participant.Status.APPROVED
    )


def suggestions(participant: Participant, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The best-scoring mentors with a free place whom ``participant`` may be paired
    with; empty if they may not choose (or already have a mentor)."""
    if not _choosing(participant):
        return []
    problem, people = build_problem(participant.cohort, drafts_hold_places=True)
    features = engine.Features(problem)
    row = features.mentee_index.get(participant.pk)
    if row is None or not features.m:
        return []
    cols = np.arange(features.m)
    scores, components, broken = engine.evaluate_pairs(features, np.full(features.m, row), cols)
    allowed = ~np.logical_or.reduce(list(broken.values()))
    order = sorted(
        (j for j in cols if allowed[j]), key=lambda j: (-scores[j], problem.mentors[j].id)
    )[:limit]
    mentee = problem.mentees[row]
    explain = PairExplainer(problem)
    return [
        Suggestion(
            mentor=people[problem.mentors[j].id],
            score=round(float(scores[j]), 1),
            explanation=explain(
                problem.mentors[j],
                mentee,
                {name: float(values[j]) for name, values in components.items()},
            ),
        )
        for j in order
    ]


def _choice_run(cohort: Cohort) -> MatchRun:
    run = (
        MatchRun.objects.select_for_update()
        .filter(cohort=cohort, mode=MatchRun.Mode.MENTEE_CHOICE)
        .first()
    )
    if run is None:
        run = MatchRun.objects.create(
            organization=cohort.organization,
            cohort=cohort,
            mode=MatchRun.Mode.MENTEE_CHOICE,
            status=MatchRun.Status.PUBLISHED,
            published_at=timezone.now(),
        )
    return run


@transaction.atomic
def mentee_choose(*, participant: Participant, mentor_id: int) -> Pair:
    """Pair the mentee with one of their suggestions, now. The mentor's row is locked
    while their places are counted, so two mentees cannot take the same last place."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    mentor = (
        Participant.objects.select_for_update()
        .select_related("employee")
        .filter(pk=mentor_id, program=participant.program_id)
        .first()
    )
    if mentor is None:
        raise ValidationError(_("Choose one of your suggestions."))
    offered = {s.mentor.pk: s for s in suggestions(participant, limit=10_000)}
    mine = Pair.objects.filter(program=participant.program_id, mentee=participant)
    if mine.filter(status=Pair.Status.ACTIVE).exists():
        raise ValidationError(_("You already have a mentor."))
    if mine.filter(status=Pair.Status.PROPOSED).exists():
        raise ValidationError(
            _(
                "Your program manager is already reviewing a mentor for you: you will hear "
                "from them when the pairs are published."
            )
        )
    if mentor.pk not in offered:
        raise ValidationError(
            _("%(name)s has just been taken, or cannot be your mentor. Choose another.")
            % {"name": mentor.employee.name}
        )
    suggestion = offered[mentor.pk]
    try:
        with transaction.atomic():
            pair = Pair.objects.create(
                organization=participant.organization,
                run=_choice_run(participant.cohort),
                program=participant.program,
                cohort=participant.cohort,
                mentor=mentor,
                mentee=participant,
                status=Pair.Status.ACTIVE,
                score=suggestion.score,
                components={},
                explanation=suggestion.explanation,
                published_at=timezone.now(),
            )
    except IntegrityError as error:
        # A live pair made for them a moment ago (the one-live-pair rule held the line).
        raise ValidationError(_("You already have a mentor.")) from error
    cohort = participant.cohort
    if cohort.matching_started_at is None:
        Cohort.objects.filter(pk=cohort.pk).update(matching_started_at=timezone.now())
    rematch_requests_answer(participant_ids=[mentor.pk, participant.pk])
    organization = participant.organization
    notices_send(
        organization=organization,
        candidates=pair_published(organization=organization, pairs=[pair]),
    )
    return pair
