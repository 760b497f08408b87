"""Writes for the pair's workspace. Every function takes the person acting (one of the
pair, as a Participant) and checks they may."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from directory.models import Employee
from directory.zones import zone_for
from matching.models import Pair
from organizations.dates import DayRange, pair_range, program_range
from programs.models import Participant, Program, ProgramTopic
from sessions import partner_news
from sessions.models import (
    Commitment,
    Goal,
    MentoringSession,
    Note,
    Reflection,
    SessionChange,
)


def _ensure_member(pair: Pair, person: Participant) -> None:
    if person.pk not in (pair.mentor_id, pair.mentee_id):
        raise ValidationError(_("Only the two people of the pair can do this."))


def _ensure_active(pair: Pair) -> None:
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError(_("This pair has ended."))


def _send_invites(session: MentoringSession, kind: str) -> None:
    """Written to the outbox with the session: sent once this commits, broker or not."""
    from notifications.outbox import outbox_add
    from sessions.emails import OUTBOX_KIND

    outbox_add(
        organization=session.organization,
        kind=OUTBOX_KIND,
        key=f"session-invite:{session.pk}:{session.sequence}",
        args={"session_id": session.pk, "kind": str(kind), "sequence": session.sequence},
    )


@dataclass
class Plan:
    """When and where a session takes place."""

    starts_at: datetime
    duration_minutes: int
    location: str = ""
    video_link: str = ""
    agenda: str = ""


def pair_day_range(program: Program) -> DayRange:
    """The days a pair of ``program`` may plan on: a session, a goal's due date
    (``organizations.dates.pair_range``)."""
    return pair_range(
        start_date=program.start_date, end_date=program.end_date, today=timezone.localdate()
    )


def session_date_problem(program: Program, starts_at: date | datetime) -> str | None:
    """Why a session cannot be on ``starts_at``'s day (a moment's as given, in its own
    zone), if so."""
    return pair_day_range(program).problem(starts_at, what=_("The session's date"))


def _check_plan(pair: Pair, plan: Plan) -> None:
    problems = []
    if plan.starts_at < timezone.now() - timedelta(minutes=5):
        problems.append(_("Choose a time that has not passed; log past sessions instead."))
    elif problem := session_date_problem(pair.program, plan.starts_at):
        problems.append(problem)
    if not 15 <= plan.duration_minutes <= 240:
        problems.append(_("A session lasts from 15 to 240 minutes."))
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def session_schedule(*, pair: Pair, actor: Participant, plan: Plan) -> MentoringSession:
    """Book a session; both people get a calendar invitation."""
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    _ensure_member(pair, actor)
    _ensure_active(pair)
    _check_plan(pair, plan)
    session = MentoringSession.objects.create(
        organization=pair.organization,
        pair=pair,
        scheduled_by=actor,
        starts_at=plan.starts_at,
        duration_minutes=plan.duration_minutes,
        location=plan.location,
        video_link=plan.video_link,
        agenda=plan.agenda,
    )
    _send_invites(session, "scheduled")
    partner_news.session_booked(session, actor)
    return session


def _role(pair: Pair, person: Participant) -> str:
    return "mentor" if person.pk == pair.mentor_id else "mentee"


def _record_change(session, actor, kind, new_starts_at=None) -> SessionChange:
    notice = (session.starts_at - timezone.now()).total_seconds() / 3600
    return SessionChange.objects.create(
        organization=session.organization,
        session=session,
        kind=kind,
        requested_by=actor,
        requested_by_role=_role(session.pair, actor),
        hours_notice=round(notice, 2),
        previous_starts_at=session.starts_at,
        new_starts_at=new_starts_at,
    )


def _scheduled(session: MentoringSession, actor: Participant) -> MentoringSession:
    session = MentoringSession.objects.select_for_update().select_related("pair").get(pk=session.pk)
    _ensure_member(session.pair, actor)
    if session.status != MentoringSession.Status.SCHEDULED:
        raise ValidationError(
            _("This session is %(status)s.") % {"status": session.get_status_display().lower()}
        )
    return session


@transaction.atomic
def session_reschedule(*, session: MentoringSession, actor: Participant, plan: Plan):
    """Move a session: the same calendar event, updated (a higher SEQUENCE)."""
    session = _scheduled(session, actor)
    _check_plan(session.pair, plan)
    _record_change(session, actor, SessionChange.Kind.RESCHEDULED, plan.starts_at)
    was = session.starts_at
    session.starts_at = plan.starts_at
    session.duration_minutes = plan.duration_minutes
    session.location, session.video_link = plan.location, plan.video_link
    session.agenda = plan.agenda
    session.sequence += 1
    session.save()
    _send_invites(session, "rescheduled")
    partner_news.session_moved(session, actor, was)
    return session


@transaction.atomic
def session_cancel(*, session: MentoringSession, actor: Participant) -> MentoringSession:
    session = _scheduled(session, actor)
    _record_change(session, actor, SessionChange.Kind.CANCELLED)
    session.status = MentoringSession.Status.CANCELLED
    session.sequence += 1
    session.save(update_fields=["status", "sequence"])
    _send_invites(session, "cancelled")
    partner_news.session_cancelled(session, actor)
    return session


@dataclass
class Log:
    """What one person records about a session."""

    held: bool
    held_minutes: int | None = None
    topic_ids: tuple[int, ...] = ()
    rating: int | None = None
    learned: str = ""
    taught: str = ""
    shared_note: str = ""
    private_note: str = ""


def _check_log(pair: Pair, log: Log, *, held: bool, first: bool) -> None:
    """The first person to log says what happened; each person who was there rates it."""
    problems = []
    if held and (log.rating is None or not 1 <= log.rating <= 5):
        problems.append(_("Rate the session from 1 to 5."))
    if first and log.held:
        if log.held_minutes is None or not 5 <= log.held_minutes <= 480:
            problems.append(_("Say how long it lasted, from 5 to 480 minutes."))
        offered = set(
            ProgramTopic.objects.filter(program=pair.program_id).values_list("topic_id", flat=True)
        )
        if not set(log.topic_ids) <= offered:
            problems.append(_("Choose topics from the program's list."))
    if problems:
        raise ValidationError(problems)


def _check_after_pairing(pair: Pair, actor: Participant, starts_at: datetime) -> None:
    """A session logged after the fact took place once the pair existed: not before the
    day it was published (in the logger's own time zone), or its program's start if that
    is not known. A typo such as 2001 would otherwise count as a session held and move
    the pair's cadence."""
    began = pair.published_at or pair.run.published_at
    if began is None:
        if problem := session_date_problem(pair.program, starts_at):
            raise ValidationError(problem)
        return
    zone = zone_for(organization=pair.organization, participant=actor)
    if timezone.localtime(starts_at, zone).date() < timezone.localtime(began, zone).date():
        raise ValidationError(
            _("The pair began on %(date)s: choose a date from then on.")
            % {"date": date_format(timezone.localtime(began, zone), "j F Y")}
        )


@transaction.atomic
def session_log(
    *,
    pair: Pair,
    actor: Participant,
    user,
    log: Log,
    session: MentoringSession | None = None,
    starts_at: datetime | None = None,
) -> MentoringSession:
    """Log a session (a scheduled one, or one never scheduled: then ``starts_at``).
    The first to log records whether it took place, how long and what it covered; each
    person adds their own reflection and notes. All or nothing."""
    pair = Pair.objects.select_for_update().select_related("program").get(pk=pair.pk)
    _ensure_member(pair, actor)
    # Notes carry their author's login (private ones are read back by it alone).
    if (
        user is not None
        and not Employee.objects.filter(pk=actor.employee_id, member__user=user).exists()
    ):
        raise ValidationError(_("A log is written by the person it belongs to."))
    if user is None and (log.shared_note.strip() or log.private_note.strip()):
        raise ValidationError(_("Notes are written by a signed-in person."))
    if session is not None:
        session = MentoringSession.objects.select_for_update().get(pk=session.pk, pair=pair)
        if session.status == MentoringSession.Status.CANCELLED:
            raise ValidationError(_("This session was cancelled."))
        if session.starts_at > timezone.now():
            raise ValidationError(_("This session has not started yet."))
    elif starts_at is None or starts_at > timezone.now():
        raise ValidationError(_("Say when the session took place (not in the future)."))
    else:
        _check_after_pairing(pair, actor, starts_at)
    first = session is None or session.logged_at is None
    held = log.held if first else session.status == MentoringSession.Status.HELD
    _check_log(pair, log, held=held, first=first)
    if session is None:
        _ensure_active(pair)
        session = MentoringSession.objects.create(
            organization=pair.organization,
            pair=pair,
            starts_at=starts_at,
            duration_minutes=pair.program.session_minutes,
        )
    if first:
        session.status = MentoringSession.Status.HELD if held else MentoringSession.Status.NOT_HELD
        session.held_minutes = log.held_minutes if held else None
        session.topic_ids = list(log.topic_ids) if held else []
        session.logged_at, session.logged_by = timezone.now(), actor
        session.save()
    if held:
        Reflection.objects.update_or_create(
            organization=pair.organization,
            session=session,
            participant=actor,
            defaults={"rating": log.rating, "learned": log.learned, "taught": log.taught},
        )
    for visibility, text in (
        (Note.Visibility.SHARED, log.shared_note),
        (Note.Visibility.PRIVATE, log.private_note),
    ):
        if text.strip():
            Note.objects.create(
                organization=pair.organization,
                session=session,
                author=actor,
                author_user=user,
                visibility=visibility,
                text=text.strip(),
            )
    partner_news.session_logged(session, actor)
    return session


@transaction.atomic
def reflection_update(
    *, session: MentoringSession, actor: Participant, rating: int, learned: str, taught: str
) -> Reflection:
    """Change one's own reflection on a session: its author's alone to change."""
    reflection = (
        Reflection.objects.select_for_update()
        .filter(session=session.pk, participant=actor.pk)
        .select_related("session")
        .first()
    )
    if reflection is None:
        raise ValidationError(_("You have not logged this session yet."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("Rate the session from 1 to 5."))
    reflection.rating, reflection.learned, reflection.taught = rating, learned, taught
    reflection.save(update_fields=["rating", "learned", "taught", "updated_at"])
    return reflection


def goal_due_date_problem(program: Program, due_date) -> str | None:
    """A due date may lie in the past (a goal that slipped stays editable, and shows as
    overdue), back to ``program_range``'s start; ahead, no later than the pair may plan."""
    today = timezone.localdate()
    days = DayRange(program_range(today).earliest, pair_day_range(program).latest)
    return days.problem(due_date, what=_("The due date"))


def _check_goal(pair: Pair, title: str, owner: Participant | None, due_date) -> None:
    if not title.strip():
        raise ValidationError(_("Say what the goal or action is."))
    if owner is not None:
        _ensure_member(pair, owner)
    if problem := goal_due_date_problem(pair.program, due_date):
        raise ValidationError(problem)


@transaction.atomic
def goal_add(*, pair: Pair, actor: Participant, title: str, owner=None, due_date=None) -> Goal:
    _ensure_member(pair, actor)
    _check_goal(pair, title, owner, due_date)
    goal = Goal.objects.create(
        organization=pair.organization,
        pair=pair,
        title=title.strip(),
        owner=owner,
        due_date=due_date,
    )
    partner_news.goal_added(goal, actor)
    return goal


@transaction.atomic
def goal_update(
    *, goal: Goal, actor: Participant, title: str, owner: Participant | None = None, due_date=None
) -> Goal:
    """Change a goal's wording, whose it is, or when it is due: either person of the pair,
    while the pair is active."""
    goal = Goal.objects.select_for_update().select_related("pair").get(pk=goal.pk)
    _ensure_member(goal.pair, actor)
    _ensure_active(goal.pair)
    _check_goal(goal.pair, title, owner, due_date)
    goal.title, goal.owner, goal.due_date = title.strip(), owner, due_date
    goal.save(update_fields=["title", "owner", "due_date"])
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, actor: Participant, status: str) -> Goal:
    _ensure_member(goal.pair, actor)
    if status not in Goal.Status.values:
        raise ValidationError(_("Unknown status."))
    goal.status = status
    goal.done_at = timezone.now() if status == Goal.Status.DONE else None
    goal.save(update_fields=["status", "done_at"])
    return goal


def senior_of(pair: Pair) -> Participant | None:
    """Who commits to change: the mentee in a reverse program, the mentor in a
    traditional one; in a mutual one, either (None)."""
    direction = pair.program.direction
    if direction == Program.Direction.REVERSE:
        return pair.mentee
    if direction == Program.Direction.TRADITIONAL:
        return pair.mentor
    return None


@transaction.atomic
def commitment_add(
    *,
    pair: Pair,
    actor: Participant,
    text: str,
    theme: str,
    session: MentoringSession | None = None,
) -> Commitment:
    """What the senior person commits to change, after a session of the pair (``session``,
    one that took place) or not tied to one."""
    _ensure_member(pair, actor)
    senior = senior_of(pair)
    if senior is not None and senior.pk != actor.pk:
        raise ValidationError(_("Commitments are the senior colleague's to make."))
    problems = []
    if not text.strip():
        problems.append(_("Say what you commit to change."))
    if theme not in Commitment.Theme.values:
        problems.append(_("Choose a theme."))
    held = MentoringSession.objects.filter(pair=pair, status=MentoringSession.Status.HELD)
    if session is not None and not held.filter(pk=session.pk).exists():
        problems.append(_("Choose one of your sessions that took place."))
    if problems:
        raise ValidationError(problems)
    commitment = Commitment.objects.create(
        organization=pair.organization,
        pair=pair,
        participant=actor,
        session=session,
        text=text.strip(),
        theme=theme,
    )
    partner_news.commitment_made(commitment, actor)
    return commitment


@transaction.atomic
def commitment_set_status(*, commitment: Commitment, actor: Participant, status: str):
    if commitment.participant_id != actor.pk:
        raise ValidationError(_("Only the person who made a commitment can update it."))
    if status not in Commitment.Status.values:
        raise ValidationError(_("Unknown status."))
    commitment.status = status
    commitment.save(update_fields=["status", "updated_at"])
    return commitment
