"""The matching workflow: run the engine for a cohort, review the draft (swap, override,
lock, re-run), publish, and end pairs without blame."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import engine
from matching.explain import PairExplainer
from matching.models import MatchRun, Pair, Unplaced
from matching.notices import (
    not_matched,
    notices_send,
    pair_ended,
    pair_ended_alert,
    pair_published,
)
from matching.problem import build_problem
from matching.rematch import rematch_requests_answer
from matching.selectors import draft_run
from organizations.languages import in_sentence
from organizations.models import Membership
from programs.models import Cohort, Participant, Program

CONSTRAINT_LABELS = {
    "reporting_line": _("one is in the other's reporting line"),
    "language": _("they share no language"),
    "direction": _("the mentor is not more junior, as the program's direction requires"),
    "ended_before": _("they were paired before and that pair ended"),
}
SOFT_RULES = {
    # component -> (breaks the rule when the component is at most, label)
    "cross_department": (0.0, _("same department")),
    "availability": (0.0, _("no free time in common")),
    "topic_fit": (0.0, _("nothing the mentor teaches is what the mentee wants to learn")),
    "preferences": (0.0, _("one of them asked not to be paired with the other")),
}


@transaction.atomic
def matching_run_refusal(*, program: Program) -> str | None:
    """Why the engine cannot run for ``program``'s cohorts now, or None: the page shows
    the same reason beside a disabled button that ``matching_run`` gives when refusing."""
    if not program.matching_open:
        return _(
            "Matching opens when the program moves to Matching, from its page: it is "
            "%(status)s now."
        ) % {"status": in_sentence(program.get_status_display())}
    if program.matching_mode == Program.MatchingMode.MENTEE_CHOICE:
        # Engine pairs and mentees' choices would take the same places, each unaware.
        return _(
            "In this program mentees choose their mentors from their suggestions, so the "
            "engine does not run. To match the cohort yourself, change the program's "
            "matching setting first."
        )
    return None


def matching_run(*, cohort: Cohort, actor: Membership | None, keep=()) -> MatchRun:
    """Run the engine for everyone in ``cohort`` who can be matched. A draft already under
    review is replaced, keeping the pairs the program manager locked (and ``keep``: more
    (mentor id, mentee id) pairs to lock, checked against the hard constraints)."""
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    program = cohort.program
    refusal = matching_run_refusal(program=program)
    if refusal:
        raise ValidationError(refusal)
    locked, kept_notes = list(keep), {}
    if keep:
        problem, _people = build_problem(cohort)
        features = engine.Features(problem)
        _scores, _components, broken = engine.evaluate_pairs(
            features,
            [features.mentee_index[b] for _a, b in keep],
            [features.mentor_index[a] for a, _b in keep],
        )
        if any(flags.any() for flags in broken.values()):
            raise ValidationError(_("A pair to keep breaks a rule no pair may break."))
    draft = draft_run(cohort)
    if draft is not None:
        kept = draft.pairs.filter(status=Pair.Status.PROPOSED, locked=True)
        for mentor_id, mentee_id, source, reason in kept.values_list(
            "mentor_id", "mentee_id", "source", "override_reason"
        ):
            locked.append((mentor_id, mentee_id))
            # A pair the manager made and locked stays theirs, with their reason.
            kept_notes[(mentor_id, mentee_id)] = (source, reason)
        draft.pairs.filter(status=Pair.Status.PROPOSED).update(status=Pair.Status.DROPPED)
        draft.status = MatchRun.Status.REPLACED
        draft.save(update_fields=["status"])
    problem, _people = build_problem(cohort, locked=locked)
    if not problem.mentors or not problem.mentees:
        raise ValidationError(
            _(
                "Nobody to match: the cohort needs approved mentors and mentees who have "
                "finished the required training and are not paired yet."
            )
        )
    result = engine.solve(problem)
    run = MatchRun.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        weights=problem.active_weights(),
        mentor_count=len(problem.mentors),
        mentee_count=len(problem.mentees),
        created_by=actor,
        notes=_dropped_lock_notes(program, result.dropped_locks),
    )
    mentors = {p.id: p for p in problem.mentors}
    mentees = {p.id: p for p in problem.mentees}
    explain = PairExplainer(problem)
    Pair.objects.bulk_create(
        Pair(
            organization=cohort.organization,
            run=run,
            program=program,
            cohort=cohort,
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            score=pairing.score,
            components=pairing.components,
            explanation=explain(
                mentors[pairing.mentor_id], mentees[pairing.mentee_id], pairing.components
            ),
            locked=pairing.locked,
            source=kept_notes.get(key, (Pair.Source.ENGINE, ""))[0],
            override_reason=kept_notes.get(key, (Pair.Source.ENGINE, ""))[1],
        )
        for pairing in result.pairs
        for key in [(pairing.mentor_id, pairing.mentee_id)]
    )
    Unplaced.objects.bulk_create(
        Unplaced(
            organization=cohort.organization,
            run=run,
            participant_id=unplaced.person_id,
            reason=unplaced.reason,
        )
        for unplaced in result.unplaced
    )
    if cohort.matching_started_at is None:
        cohort.matching_started_at = timezone.now()
        cohort.save(update_fields=["matching_started_at"])
    return run


def _dropped_lock_notes(program: Program, dropped: list[engine.DroppedLock]) -> list[str]:
    """A sentence for each locked pair a run could not keep, saying why."""
    ids = {x for lock in dropped for x in (lock.mentor_id, lock.mentee_id)}
    people = {p.pk: p for p in Participant.objects.filter(pk__in=ids).select_related("employee")}
    notes = []
    for lock in dropped:
        mentor, mentee = people.get(lock.mentor_id), people.get(lock.mentee_id)
        names = {
            "mentor": mentor.employee.name if mentor else _("a mentor no longer in the program"),
            "mentee": mentee.employee.name if mentee else _("a mentee no longer in the program"),
        }
        if lock.reason == "mentor_unavailable":
            why = _why_unavailable(program, mentor)
        elif lock.reason == "mentee_unavailable":
            why = _why_unavailable(program, mentee)
        elif lock.reason == "mentee_taken":
            why = _("another locked pair already places %(mentee)s") % names
        else:
            why = _("other locked pairs already fill %(mentor)s's places") % names
        notes.append(
            _("The locked pair %(mentor)s and %(mentee)s was not kept: %(why)s.")
            % {**names, "why": why}
        )
    return notes


def _why_unavailable(program: Program, person: Participant | None) -> str:
    if person is None:
        return _("they are no longer in the program")
    name = person.employee.name
    if person.status != Participant.Status.APPROVED:
        return _("%(name)s is %(status)s") % {
            "name": name,
            "status": in_sentence(person.get_status_display()),
        }
    active = Pair.objects.filter(program=program, status=Pair.Status.ACTIVE)
    if person.role == Participant.Role.MENTEE and active.filter(mentee=person).exists():
        return _("%(name)s is already paired") % {"name": name}
    if (
        person.role == Participant.Role.MENTOR
        and active.filter(mentor=person).count() >= person.capacity
    ):
        return _("%(name)s has no free place left") % {"name": name}
    return _("%(name)s has not finished the required training") % {"name": name}


@dataclass
class Change:
    """What a swap or an override would do, before it is made."""

    new_pairs: list[tuple[int, int]]  # (mentor id, mentee id)
    scores: list[float]
    components: list[dict]
    explanations: list[str]
    score_change: float
    broken: list[str]  # hard constraints: the change is refused
    soft: list[str]  # soft rules: the change needs a reason

    @property
    def needs_reason(self) -> bool:
        return bool(self.soft)


def _evaluate(run: MatchRun, new_pairs, old_score: float) -> Change:
    problem, _people = build_problem(run.cohort)
    features = engine.Features(problem)
    mentors = {p.id: p for p in problem.mentors}
    mentees = {p.id: p for p in problem.mentees}
    missing = [x for pair in new_pairs for x in pair if x not in mentors and x not in mentees]
    if missing:
        raise ValidationError(_("Someone in this change can no longer be matched."))
    rows = [features.mentee_index[b] for _a, b in new_pairs]
    cols = [features.mentor_index[a] for a, _b in new_pairs]
    scores, components, broken = engine.evaluate_pairs(features, rows, cols)
    per_pair = [{name: float(v[k]) for name, v in components.items()} for k in range(len(rows))]
    hard, soft = [], []
    for k, (a, b) in enumerate(new_pairs):
        names = {"mentor": mentors[a].name, "mentee": mentees[b].name}
        for name, flags in broken.items():
            if flags[k]:
                hard.append(
                    _("%(mentor)s and %(mentee)s: %(why)s.")
                    % {**names, "why": CONSTRAINT_LABELS[name]}
                )
        for name, (limit, label) in SOFT_RULES.items():
            if per_pair[k][name] <= limit and problem.active_weights()[name] > 0:
                if name == "cross_department" and not (
                    mentors[a].department and mentees[b].department
                ):
                    continue
                soft.append(_("%(mentor)s and %(mentee)s: %(why)s.") % {**names, "why": label})
    explain = PairExplainer(problem)
    return Change(
        new_pairs=list(new_pairs),
        scores=[round(float(x), 2) for x in scores],
        components=per_pair,
        explanations=[
            explain(mentors[a], mentees[b], per_pair[k]) for k, (a, b) in enumerate(new_pairs)
        ],
        score_change=round(float(scores.sum()) - old_score, 2),
        broken=hard,
        soft=soft,
    )


def _draft_pair(run: MatchRun, pair_id) -> Pair:
    pair = (
        Pair.objects.select_for_update()
        .filter(run=run, status=Pair.Status.PROPOSED, pk=pair_id)
        .first()
    )
    if pair is None:
        raise ValidationError(_("That pair is no longer in this draft."))
    if pair.locked:
        raise ValidationError(_("%(pair)s is locked: unlock it first.") % {"pair": pair})
    return pair


def _ensure_draft(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().select_related("cohort__program").get(pk=run.pk)
    if run.status != MatchRun.Status.DRAFT:
        raise ValidationError(_("This match run is no longer a draft."))
    return run


def pair_swap_preview(*, run: MatchRun, pair_ids) -> Change:
    """Exchange the mentees of two draft pairs: what it would score and break."""
    first, second = (_draft_pair(run, pk) for pk in pair_ids)
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different pairs to swap."))
    if first.mentor_id == second.mentor_id:
        raise ValidationError(
            _("Both pairs have the same mentor: swapping their mentees changes nothing.")
        )
    return _evaluate(
        run,
        [(first.mentor_id, second.mentee_id), (second.mentor_id, first.mentee_id)],
        first.score + second.score,
    )


def pair_override_preview(*, run: MatchRun, mentor_id: int, mentee_id: int) -> Change:
    """Pair a mentee with a chosen mentor instead (their present pair, if any, goes)."""
    _ensure_in_cohort(run, mentor_id, Participant.Role.MENTOR)
    _ensure_in_cohort(run, mentee_id, Participant.Role.MENTEE)
    current = Pair.objects.filter(run=run, status=Pair.Status.PROPOSED, mentee_id=mentee_id).first()
    if current is not None and current.mentor_id == mentor_id:
        raise ValidationError(_("They are already paired."))
    if current is not None and current.locked:
        raise ValidationError(_("%(pair)s is locked: unlock it first.") % {"pair": current})
    _ensure_capacity(run, mentor_id)
    return _evaluate(run, [(mentor_id, mentee_id)], current.score if current else 0.0)


def _ensure_in_cohort(run: MatchRun, participant_id: int, role: str) -> None:
    """The form offers the cohort's people only; anything else posted is refused."""
    if not Participant.objects.filter(pk=participant_id, cohort=run.cohort_id, role=role).exists():
        raise ValidationError(
            _("Choose a mentor from this cohort.")
            if role == Participant.Role.MENTOR
            else _("Choose a mentee from this cohort.")
        )


def _ensure_capacity(run: MatchRun, mentor_id: int) -> None:
    mentor = Participant.objects.select_for_update().get(pk=mentor_id, cohort=run.cohort)
    taken = Pair.objects.filter(
        Q(run=run, status=Pair.Status.PROPOSED) | Q(status=Pair.Status.ACTIVE),
        program=run.cohort.program,
        mentor_id=mentor_id,
    ).count()
    if taken >= mentor.capacity:
        raise ValidationError(
            _("%(name)s has room for %(n)s and is full.")
            % {"name": mentor.employee.name, "n": mentor.capacity}
        )


def _apply(run: MatchRun, change: Change, dropped: list[Pair], reason: str) -> list[Pair]:
    if change.broken:
        raise ValidationError(change.broken)
    if change.needs_reason and not reason.strip():
        raise ValidationError(
            [*change.soft, _("Say why: this change breaks a rule the engine keeps.")]
        )
    for pair in dropped:
        pair.status = Pair.Status.DROPPED
        pair.save(update_fields=["status"])
    created = Pair.objects.bulk_create(
        Pair(
            organization=run.organization,
            run=run,
            program=run.cohort.program,
            cohort=run.cohort,
            mentor_id=a,
            mentee_id=b,
            score=change.scores[k],
            components=change.components[k],
            explanation=change.explanations[k],
            source=Pair.Source.MANAGER,
            override_reason=reason.strip(),
        )
        for k, (a, b) in enumerate(change.new_pairs)
    )
    placed = [x for pair in change.new_pairs for x in pair]
    Unplaced.objects.filter(run=run, participant_id__in=placed).delete()
    # Whoever the change left without any pair goes on the list, with the reason.
    still_paired = set(
        run.pairs.filter(status=Pair.Status.PROPOSED).values_list("mentor_id", "mentee_id")
    )
    paired_ids = {x for pair in still_paired for x in pair}
    Unplaced.objects.bulk_create(
        Unplaced(
            organization=run.organization,
            run=run,
            participant_id=person,
            reason=_("A program manager changed their pair."),
        )
        for person in sorted({x for pair in dropped for x in (pair.mentor_id, pair.mentee_id)})
        if person not in paired_ids
    )
    return created


@transaction.atomic
def pair_swap(*, run: MatchRun, pair_ids, reason: str = "") -> list[Pair]:
    run = _ensure_draft(run)
    change = pair_swap_preview(run=run, pair_ids=pair_ids)
    dropped = [Pair.objects.get(pk=pk) for pk in pair_ids]
    return _apply(run, change, dropped, reason)


@transaction.atomic
def pair_override(*, run: MatchRun, mentor_id: int, mentee_id: int, reason: str = "") -> Pair:
    run = _ensure_draft(run)
    change = pair_override_preview(run=run, mentor_id=mentor_id, mentee_id=mentee_id)
    dropped = list(
        Pair.objects.select_for_update().filter(
            run=run, status=Pair.Status.PROPOSED, mentee_id=mentee_id
        )
    )
    (created,) = _apply(run, change, dropped, reason)
    return created


@transaction.atomic
def pair_set_locked(*, pair: Pair, locked: bool) -> Pair:
    _ensure_draft(pair.run)
    pair.locked = locked
    pair.save(update_fields=["locked"])
    return pair


@transaction.atomic
def run_publish(*, run: MatchRun) -> MatchRun:
    """Make the draft's pairs real and tell both people in each pair; answer the
    requests to be matched again of those it pairs, and tell each approved person it left
    without a partner, kindly, what happens next."""
    run = _ensure_draft(run)
    pairs = list(
        run.pairs.filter(status=Pair.Status.PROPOSED).select_related(
            "program", "mentor__employee", "mentee__employee"
        )
    )
    if not pairs:
        raise ValidationError(_("There are no pairs to publish."))
    _ensure_room(run.cohort.program, pairs)
    now = timezone.now()
    run.pairs.filter(status=Pair.Status.PROPOSED).update(
        status=Pair.Status.ACTIVE, published_at=now
    )
    run.status, run.published_at = MatchRun.Status.PUBLISHED, now
    run.save(update_fields=["status", "published_at"])
    program = Program.objects.select_for_update().get(pk=run.cohort.program_id)
    if program.status == Program.Status.MATCHING:
        program.status = Program.Status.ACTIVE
        program.save(update_fields=["status"])
    rematch_requests_answer(participant_ids={x for p in pairs for x in (p.mentor_id, p.mentee_id)})
    notices_send(
        organization=run.organization,
        candidates=pair_published(organization=run.organization, pairs=pairs)
        + not_matched(organization=run.organization, run=run, people=_left_unmatched(run)),
    )
    return run


def _left_unmatched(run: MatchRun) -> list[Participant]:
    """The approved people the published round considered and left without any partner:
    not in an active pair of the program (its own pairs, just made active, or older ones:
    a mentor with a free place who already meets someone was not left out)."""
    active = Pair.objects.filter(program=run.cohort.program_id, status=Pair.Status.ACTIVE)
    return list(
        Participant.objects.filter(
            pk__in=run.unplaced.values("participant"), status=Participant.Status.APPROVED
        )
        .exclude(pk__in=active.values("mentor"))
        .exclude(pk__in=active.values("mentee"))
        .select_related("program", "employee")
        .order_by("pk")
    )


def _ensure_room(program: Program, pairs: list[Pair]) -> None:
    """Refuse to publish pairs that would overfill a mentor or give a mentee a second
    mentor: since the draft was made, pairs may have been published or chosen (in the
    other mode). The mentors' rows are locked while their places are counted, as a mentee
    choosing locks them, so that no place is taken twice."""
    mentor_ids = sorted({p.mentor_id for p in pairs})
    mentors = {
        m.pk: m
        for m in Participant.objects.select_for_update(of=("self",))
        .select_related("employee")
        .filter(pk__in=mentor_ids)
        .order_by("pk")
    }
    active = Pair.objects.filter(program=program, status=Pair.Status.ACTIVE)
    load = dict(
        active.filter(mentor_id__in=mentor_ids)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    )
    adding = Counter(p.mentor_id for p in pairs)
    problems = []
    for mentor_id in mentor_ids:
        mentor, taken = mentors[mentor_id], load.get(mentor_id, 0)
        if taken + adding[mentor_id] > mentor.capacity:
            problems.append(
                ngettext(
                    "%(name)s has room for %(capacity)s and already has %(taken)s active "
                    "pair: publishing would overfill their places. Give one of their draft "
                    "pairs another mentor first.",
                    "%(name)s has room for %(capacity)s and already has %(taken)s active "
                    "pairs: publishing would overfill their places. Give one of their draft "
                    "pairs another mentor first.",
                    taken,
                )
                % {"name": mentor.employee.name, "capacity": mentor.capacity, "taken": taken}
            )
    for pair in active.filter(mentee_id__in=[p.mentee_id for p in pairs]).select_related(
        "mentee__employee"
    ):
        problems.append(
            _("%(name)s already has a mentor: take them out of the draft first.")
            % {"name": pair.mentee.employee.name}
        )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def pair_end(
    *,
    pair: Pair,
    reason: str,
    actor: Membership | None,
    by_participant: Participant | None = None,
) -> Pair:
    """End a pair without blame: one of the two people (``by_participant``, the actor's
    place in the pair) or a program manager. The reason reaches the program's managers
    only; both people hear that the pair ended, and can be matched again (never with each
    other in this program)."""
    pair = (
        Pair.objects.select_for_update(of=("self",))
        .select_related("program", "cohort", "mentor__employee", "mentee__employee")
        .get(pk=pair.pk)
    )
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is not active."))
    if not reason.strip():
        raise ValidationError(_("Say in a sentence why; only the program manager reads it."))
    if by_participant is None:
        role = Pair.EndedBy.MANAGER
    elif by_participant.pk == pair.mentor_id:
        role = Pair.EndedBy.MENTOR
    elif by_participant.pk == pair.mentee_id:
        role = Pair.EndedBy.MENTEE
    else:
        raise ValidationError(_("Only the two people of a pair or a program manager can end it."))
    pair.status = Pair.Status.ENDED
    pair.ended_at = timezone.now()
    pair.ended_by = actor
    pair.ended_by_role = role
    pair.end_reason = reason.strip()
    pair.save(update_fields=["status", "ended_at", "ended_by", "ended_by_role", "end_reason"])
    organization = pair.organization
    notices_send(
        organization=organization,
        candidates=pair_ended(organization=organization, pair=pair)
        + pair_ended_alert(organization=organization, pair=pair),
    )
    return pair
