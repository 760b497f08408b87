"""Sending surveys and answering them, and the mentors' safe channel for concerns."""

import random
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.zones import zone_for
from matching.models import Pair
from notifications import delivery
from notifications.outbox import outbox_add, register_handler
from organizations.models import Membership, Organization
from organizations.suppression import survey_min_group
from programs.models import Cohort, Participant
from sessions.models import MentoringSession
from surveys import notices, sealing
from surveys.models import (
    Answer,
    Assignment,
    Concern,
    HeldResponse,
    Question,
    Response,
    Schedule,
    Story,
    Survey,
)


def iso_week(moment: datetime) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}-W{week:02d}"


def offset_days_problem(offset_days: int) -> str | None:
    """A schedule opens from 90 days before its cohort's start or end to a year after:
    with the cohort's own dates (``organizations.dates.program_range``), a sane day."""
    if -90 <= offset_days <= 365:
        return None
    return _("The days after the start or end must be from -90 to 365.")


@transaction.atomic
def schedule_create(
    *,
    survey: Survey,
    cohort: Cohort,
    anchor: str,
    offset_days: int,
    audience: str,
    open_days: int,
    actor: Membership | None,
) -> Schedule:
    problems = []
    if survey.program_id != cohort.program_id:
        problems.append(_("The survey and the cohort belong to different programs."))
    if not survey.questions.exists():
        problems.append(_("The survey has no questions yet."))
    if anchor not in Schedule.Anchor.values or audience not in Schedule.Audience.values:
        problems.append(_("Choose when and to whom."))
    if not 1 <= open_days <= 90:
        problems.append(_("A survey stays open from 1 to 90 days."))
    if problem := offset_days_problem(offset_days):
        problems.append(problem)
    if problems:
        raise ValidationError(problems)
    schedule = Schedule.objects.create(
        organization=cohort.organization,
        survey=survey,
        cohort=cohort,
        anchor=anchor,
        offset_days=offset_days,
        audience=audience,
        open_days=open_days,
        created_by=actor,
    )
    # A schedule already due asks its people now, not at the next hourly tick: written to
    # the outbox with the schedule, so a broker away at this moment only delays it (and
    # the hourly tick would ask them anyway).
    outbox_add(
        organization=cohort.organization,
        kind=ASK_OUTBOX_KIND,
        key=f"survey-schedule:{schedule.pk}",
        args={},
    )
    return schedule


ASK_OUTBOX_KIND = "surveys.ask"


def surveys_ask(*, organization: Organization, now: datetime) -> int:
    """Ask whoever the organisation's schedules call for by ``now``, and give each person
    asked a notice in the app (emailed by the reminders' next delivery, under their cap
    and night rules). Idempotent. Returns how many new assignments were made."""
    created = assignments_create(organization=organization, now=now)
    delivery.create(notices.survey_due(organization, now), now)
    return created


def _ask_now(*, organization: Organization) -> None:
    surveys_ask(organization=organization, now=timezone.now())


def register_outbox() -> None:
    register_handler(ASK_OUTBOX_KIND, _ask_now)


def _audience(schedule: Schedule):
    people = Participant.objects.filter(
        cohort=schedule.cohort, status=Participant.Status.APPROVED
    ).select_related("employee", "organization")
    if schedule.audience == Schedule.Audience.MENTORS:
        people = people.filter(role=Participant.Role.MENTOR)
    elif schedule.audience == Schedule.Audience.MENTEES:
        people = people.filter(role=Participant.Role.MENTEE)
    return people


def _day_start(day, person: Participant) -> datetime:
    """A survey opens at 08:00 on its day where the person is."""
    zone = zone_for(organization=person.organization, participant=person)
    return datetime.combine(day, time(8, 0), tzinfo=zone)


def assignments_create(*, organization: Organization, now: datetime) -> int:
    """Ask whoever a schedule says, once per occasion (the unique constraint holds it
    even if two runs overlap). Returns how many new assignments were made."""
    rows = []
    for schedule in Schedule.objects.filter(organization=organization).select_related("cohort"):
        cohort, window = schedule.cohort, timedelta(days=schedule.open_days)
        people = list(_audience(schedule))
        if schedule.anchor == Schedule.Anchor.EACH_SESSION:
            sessions = MentoringSession.objects.filter(
                pair__cohort=cohort,
                status=MentoringSession.Status.HELD,
                logged_at__isnull=False,
                logged_at__gte=schedule.created_at,
            ).select_related("pair")
            for session in sessions:
                opens = session.logged_at
                for person in people:
                    if person.pk in (session.pair.mentor_id, session.pair.mentee_id):
                        rows.append((schedule, person, f"session:{session.pk}", opens, window))
            continue
        base = (
            cohort.start_date
            if schedule.anchor == Schedule.Anchor.COHORT_START
            else cohort.end_date
        )
        day = base + timedelta(days=schedule.offset_days)
        for person in people:
            opens = _day_start(day, person)
            if opens <= now:
                rows.append((schedule, person, schedule.anchor, opens, window))
    before = Assignment.objects.filter(organization=organization).count()
    Assignment.objects.bulk_create(
        [
            Assignment(
                organization=organization,
                schedule=schedule,
                participant=person,
                occasion=occasion,
                opens_at=opens,
                closes_at=opens + window,
            )
            for schedule, person, occasion, opens, window in rows
            if opens + window > now
        ],
        ignore_conflicts=True,  # two overlapping runs ask nobody twice
    )
    return Assignment.objects.filter(organization=organization).count() - before


def _clean_value(question: Question, raw, topic_ids: set[int]):
    """The answer as stored, or None if empty; ValidationError names what is wrong."""
    kind = question.type
    if raw in (None, "", [], {}):
        return None
    try:
        if kind == Question.Type.AGREEMENT:
            value = int(raw)
            if not 1 <= value <= 5:
                raise ValueError
            return value
        if kind == Question.Type.NPS:
            value = int(raw)
            if not 0 <= value <= 10:
                raise ValueError
            return value
        if kind == Question.Type.SINGLE:
            if raw not in question.choices:
                raise ValueError
            return raw
        if kind == Question.Type.MULTIPLE:
            chosen = list(dict.fromkeys(raw))
            if not set(chosen) <= set(question.choices):
                raise ValueError
            return chosen
        if kind == Question.Type.SKILLS:
            levels = {str(int(k)): int(v) for k, v in raw.items() if v not in (None, "")}
            if not levels:
                return None
            if not {int(k) for k in levels} <= topic_ids or not all(
                1 <= v <= 5 for v in levels.values()
            ):
                raise ValueError
            return levels
        text = str(raw).strip()
        return text[:4000] or None
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(
            _("“%(question)s”: that answer is not one of the options.")
            % {"question": question.text}
        ) from None


@transaction.atomic
def response_submit(
    *, assignment: Assignment, answers: dict[int, object], story_consent: bool = False, now=None
) -> Response | None:
    """Record the answers and that the person answered, in two rows nothing links: all or
    nothing, once per assignment."""
    now = now or timezone.now()
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("schedule__survey", "schedule__cohort", "participant__employee__department")
        .get(pk=assignment.pk)
    )
    if assignment.answered:
        raise ValidationError(_("You have already answered this survey."))
    if not assignment.opens_at <= now <= assignment.closes_at:
        raise ValidationError(_("This survey is closed."))
    survey = assignment.schedule.survey
    questions = list(survey.questions.all())
    topic_ids = set(
        survey.program.programtopic_set.values_list("topic_id", flat=True) if survey.program else []
    )
    values, problems = {}, []
    for question in questions:
        try:
            value = _clean_value(question, answers.get(question.pk), topic_ids)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        unanswerable = question.type == Question.Type.SKILLS and not topic_ids
        if value is None and question.required and not unanswerable:
            problems.append(_("“%(question)s” needs an answer.") % {"question": question.text})
        elif value is not None:
            values[question] = value
    if problems:
        raise ValidationError(problems)
    participant = assignment.participant
    answers_by_id = {str(q.pk): v for q, v in values.items()}
    assignment.answered = True
    assignment.save(update_fields=["answered"])
    if survey.anonymous:
        # Sealed, then released with others by the worker (responses_release): this row
        # shares its transaction with the "answered" mark above, so it holds nothing
        # readable (surveys.sealing).
        sealed, sealed_with = sealing.seal(
            {"week": iso_week(now), "answers": answers_by_id, "story_consent": story_consent},
            size=sealing.padded_size(_answer_bounds(questions, len(topic_ids))),
        )
        HeldResponse.objects.create(
            organization=assignment.organization,
            schedule=assignment.schedule,
            role=participant.role,
            sealed=sealed,
            sealed_with=sealed_with,
        )
        return None
    employee = participant.employee
    return _record(
        schedule=assignment.schedule,
        role=participant.role,
        week=iso_week(now),
        answers=answers_by_id,
        story_consent=story_consent,
        participant=participant,
        department=employee.department.name if employee.department else "",
        level=employee.job_level,
    )


def _record(
    *, schedule: Schedule, role, week, answers, story_consent, questions=None, **attributed
) -> Response:
    """One Response with its answers (and stories, given consent). ``questions`` by id as
    text, when the caller records many for one survey (a release batch); else read here."""
    response = Response.objects.create(
        organization=schedule.organization,
        schedule=schedule,
        cohort_id=schedule.cohort_id,
        role=role,
        week=week,
        story_consent=story_consent,
        **attributed,
    )
    if questions is None:
        questions = _questions_by_id(schedule)
    created = Answer.objects.bulk_create(
        Answer(
            organization=response.organization, response=response, question=questions[k], value=v
        )
        for k, v in answers.items()
        if k in questions
    )
    program_id = schedule.survey.program_id
    if story_consent and program_id:
        Story.objects.bulk_create(
            Story(organization=response.organization, program_id=program_id, answer=answer)
            for answer in created
            if answer.question.story
        )
    return response


def _questions_by_id(schedule: Schedule) -> dict[str, Question]:
    return {str(q.pk): q for q in Question.objects.filter(survey_id=schedule.survey_id)}


def _answer_bounds(questions: list[Question], topic_count: int) -> list[int]:
    return [sealing.answer_bound(q.type, q.choices, topic_count) for q in questions]


def responses_release(*, organization: Organization, now=None) -> int:
    """Open held anonymous answers and move them into Response, in batches nobody can be
    picked out of (the worker runs this: it needs the private key, surveys.sealing).

    A schedule with one window (days after the cohort's start or end) releases once,
    when the window has closed: every held answer in one batch if they are at least the
    smallest group results may show, each keeping its role only if every role among
    them is that many too (otherwise a small role would be a small group of its own);
    fewer answers stay sealed, never to be read. A schedule after each session never
    closes: each role's answers go out whenever they are that many. In a batch, every
    answer takes the week of the latest one and the rows are written in a random order,
    in one transaction, so neither the week, the row order, the sequence of ids nor the
    transaction id tells one answer from another. Returns how many were released."""
    now = now or timezone.now()
    smallest, released = survey_min_group(organization), 0
    schedule_ids = set(
        HeldResponse.objects.filter(organization=organization).values_list("schedule_id", flat=True)
    )
    for schedule_id in sorted(schedule_ids):
        with transaction.atomic():
            held = list(
                HeldResponse.objects.select_for_update(skip_locked=True).filter(
                    schedule_id=schedule_id
                )
            )
            schedule = Schedule.objects.select_related("survey").get(pk=schedule_id)
            for role, batch in _release_batches(schedule, held, smallest, now):
                _release(schedule, role, batch)
                released += len(batch)
    return released


def _release_batches(
    schedule: Schedule, held: list[HeldResponse], smallest: int, now: datetime
) -> list[tuple[str, list[HeldResponse]]]:
    """Which held answers go out now, as (role, answers); see ``responses_release``."""
    by_role: dict[str, list[HeldResponse]] = {}
    for item in held:
        by_role.setdefault(item.role, []).append(item)
    if schedule.anchor == Schedule.Anchor.EACH_SESSION:
        return [(role, items) for role, items in sorted(by_role.items()) if len(items) >= smallest]
    assignments = Assignment.objects.filter(schedule=schedule)
    if assignments.filter(closes_at__gt=now).exists() or len(held) < smallest:
        return []
    if all(len(items) >= smallest for items in by_role.values()):
        return sorted(by_role.items())
    return [("", held)]


def _release(schedule: Schedule, role: str, batch: list[HeldResponse]) -> None:
    payloads = [sealing.unseal(item.sealed, item.sealed_with) for item in batch]
    week = max(payload["week"] for payload in payloads)
    random.SystemRandom().shuffle(payloads)
    questions = _questions_by_id(schedule)
    for payload in payloads:
        _record(
            schedule=schedule,
            role=role,
            week=week,
            answers=payload["answers"],
            story_consent=payload["story_consent"],
            questions=questions,
        )
    HeldResponse.objects.filter(pk__in=[item.pk for item in batch]).delete()


@transaction.atomic
def concern_raise(
    *, pair: Pair, actor: Participant, text: str, anonymous: bool, now=None
) -> Concern:
    """A mentor tells the program manager something about their pair. Named, it keeps the
    author and the pair; anonymous, only the program."""
    if actor.pk != pair.mentor_id:
        raise ValidationError(_("Concerns are for the mentor of the pair to raise."))
    if not text.strip():
        raise ValidationError(_("Say what worries you."))
    return Concern.objects.create(
        organization=pair.organization,
        program=pair.program,
        pair=None if anonymous else pair,
        author=None if anonymous else actor,
        text=text.strip(),
        week=iso_week(now or timezone.now()),
    )


@transaction.atomic
def concern_follow_up(*, concern: Concern, status: str, follow_up: str) -> Concern:
    if status not in Concern.Status.values:
        raise ValidationError(_("Unknown status."))
    concern.status, concern.follow_up = status, follow_up.strip()
    concern.followed_up_at = timezone.now()
    concern.save(update_fields=["status", "follow_up", "followed_up_at"])
    return concern
