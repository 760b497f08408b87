"""Mentor support circles: a program's group meetings for its mentors only, and who came.

Writes for program managers; each function is one transaction."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.dates import pair_range
from programs.models import Participant, Program
from sessions import circle_invites
from sessions.calendar import circle_sequence
from sessions.circle_invites import Change
from sessions.manager_selectors import circle_mentors
from sessions.models import CircleAttendance, CircleRsvp, SupportCircle

# Attendance can be taken from shortly before a circle starts (the roll call at the door).
ATTENDANCE_OPENS_BEFORE = timedelta(minutes=15)


def attendance_open(circle: SupportCircle, now=None) -> bool:
    return circle.starts_at <= (now or timezone.now()) + ATTENDANCE_OPENS_BEFORE


@dataclass
class CirclePlan:
    title: str
    starts_at: datetime
    duration_minutes: int = 45
    location: str = ""


def circle_date_problem(program: Program, starts_at) -> str | None:
    """Why a circle of ``program`` cannot be on ``starts_at``'s day, if so: a circle
    held before is logged too, so within the program's dates or the next two years."""
    days = pair_range(
        start_date=program.start_date, end_date=program.end_date, today=timezone.localdate()
    )
    return days.problem(starts_at, what=_("The circle's date"))


def _check(program: Program, plan: CirclePlan) -> None:
    problems = []
    if not plan.title.strip():
        problems.append(_("Give the circle a title."))
    if not 15 <= plan.duration_minutes <= 240:
        problems.append(_("A circle lasts from 15 to 240 minutes."))
    if timezone.is_naive(plan.starts_at):
        problems.append(_("Say when the circle starts, with its time zone."))
    elif problem := circle_date_problem(program, plan.starts_at):
        problems.append(problem)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def circle_create(*, program: Program, plan: CirclePlan) -> SupportCircle:
    """Add a support circle to a program (a past one too: circles held before are logged)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    if program.status == Program.Status.CLOSED:
        raise ValidationError(_("The program is closed."))
    _check(program, plan)
    return SupportCircle.objects.create(
        organization=program.organization,
        program=program,
        title=plan.title.strip(),
        starts_at=plan.starts_at,
        duration_minutes=plan.duration_minutes,
        location=plan.location.strip(),
    )


def _changeable(circle: SupportCircle) -> SupportCircle:
    """The circle, locked, if its program still takes changes."""
    circle = SupportCircle.objects.select_for_update().select_related("program").get(pk=circle.pk)
    if circle.program.status == Program.Status.CLOSED:
        raise ValidationError(_("The program is closed."))
    return circle


@transaction.atomic
def circle_update(*, circle: SupportCircle, plan: CirclePlan) -> SupportCircle:
    """Change a circle's title (what it is about), time, length or place."""
    circle = _changeable(circle)
    _check(circle.program, plan)
    moved = SupportCircle(starts_at=plan.starts_at)
    if not attendance_open(moved) and CircleAttendance.objects.filter(circle=circle).exists():
        # The roll call would then be of a meeting that has not happened yet.
        raise ValidationError(
            _("Attendance has been taken for this circle: it cannot move to a time to come.")
        )
    before = (circle.title, circle.starts_at, circle.duration_minutes, circle.location)
    circle.title = plan.title.strip()
    circle.starts_at = plan.starts_at
    circle.duration_minutes = plan.duration_minutes
    circle.location = plan.location.strip()
    if (circle.title, circle.starts_at, circle.duration_minutes, circle.location) == before:
        return circle  # nothing changed: no new version for calendars, nobody told
    circle.sequence += 1  # calendars that have the meeting move it rather than add one
    circle.save(update_fields=["title", "starts_at", "duration_minutes", "location", "sequence"])
    # Those going get the update in their calendar and a notice; a circle moved into
    # the past (logged after the fact) is no news to anyone.
    if circle.starts_at > timezone.now():
        going = _going(circle)
        for rsvp in going:
            circle_invites.invitation_queue(circle, rsvp, Change.MOVED)
        circle_invites.circle_change_notices(circle, going, Change.MOVED)
    return circle


def _going(circle: SupportCircle) -> list[CircleRsvp]:
    return list(CircleRsvp.objects.filter(circle=circle, going=True).order_by("pk"))


@transaction.atomic
def circle_delete(*, circle: SupportCircle) -> None:
    """Cancel a circle still to come, or remove one held (its attendance goes with it).
    Those going to a cancelled one are told, and their calendars get the cancellation."""
    circle = _changeable(circle)
    if circle.starts_at > timezone.now():
        going = _going(circle)
        for rsvp in going:
            sequence = circle_sequence(circle, rsvp) + 1
            circle_invites.invitation_queue(circle, rsvp, Change.CANCELLED, sequence=sequence)
        circle_invites.circle_change_notices(circle, going, Change.CANCELLED)
    circle.delete()


def _rsvp_problem(circle: SupportCircle, participant: Participant, now) -> str | None:
    """Why ``participant`` cannot answer ``circle``, if so."""
    if not (
        participant.program_id == circle.program_id
        and participant.role == Participant.Role.MENTOR
        and participant.status == Participant.Status.APPROVED
    ):
        return _("Support circles are for the program's mentors only.")
    if circle.program.status == Program.Status.CLOSED:
        return _("The program is closed.")
    if circle.starts_at <= now:
        return _("This circle has already started: answers close when it begins.")
    return None


@transaction.atomic
def circle_rsvp(*, circle: SupportCircle, participant: Participant, going: bool) -> CircleRsvp:
    """A mentor's answer to one circle: going (the invitation goes to their calendar) or
    not (if they were going, a cancellation takes it out again). Answering as before
    changes nothing and sends nothing."""
    circle = SupportCircle.objects.select_for_update().select_related("program").get(pk=circle.pk)
    if problem := _rsvp_problem(circle, participant, timezone.now()):
        raise ValidationError(problem)
    rsvp, created = CircleRsvp.objects.get_or_create(
        circle=circle,
        participant=participant,
        defaults={"organization": circle.organization, "going": going},
    )
    if not created:
        if rsvp.going == going:
            return rsvp
        rsvp.going = going
        rsvp.changes += 1
        rsvp.save(update_fields=["going", "changes", "answered_at"])
    elif not going:
        return rsvp  # a first "no": nothing was in their calendar, nothing to send
    circle_invites.invitation_queue(circle, rsvp, Change.JOINED if going else Change.LEFT)
    return rsvp


@transaction.atomic
def circle_attendance_save(*, circle: SupportCircle, attended_ids) -> int:
    """Record who came: every mentor the circle is for gets a row, attended or not.
    Anyone else (a mentee, another program's mentor) is refused. Returns how many came."""
    circle = SupportCircle.objects.select_for_update().select_related("program").get(pk=circle.pk)
    if not attendance_open(circle):
        raise ValidationError(_("Attendance can be taken once the circle has started."))
    try:
        chosen = {int(pk) for pk in attended_ids}
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose mentors from the list.")) from error
    # The mentors the circle's page lists, including any recorded before who have since
    # withdrawn: their row stays as it was unless the manager changes it.
    mentors = set(circle_mentors(circle.program, circle).values_list("pk", flat=True))
    if chosen - mentors:
        raise ValidationError(_("Support circles are for the program's mentors only."))
    existing = {row.participant_id: row for row in CircleAttendance.objects.filter(circle=circle)}
    changed, added = [], []
    for participant_id in mentors:
        attended = participant_id in chosen
        row = existing.get(participant_id)
        if row is None:
            added.append(
                CircleAttendance(
                    organization=circle.organization,
                    circle=circle,
                    participant_id=participant_id,
                    attended=attended,
                )
            )
        elif row.attended != attended:
            row.attended = attended
            changed.append(row)
    CircleAttendance.objects.bulk_create(added)
    CircleAttendance.objects.bulk_update(changed, ["attended"])
    return len(chosen)


def upcoming_circles(participant):
    """The support circles still to come in a mentor's program (mentors only), each with
    the mentor's answer (``my_answer``: True, False or None) and whether it still takes
    answers (``answerable``: it has not begun, and the program is not closed)."""
    if not (participant.is_mentor and participant.is_approved):
        return SupportCircle.objects.none()
    mine = CircleRsvp.objects.filter(circle=OuterRef("pk"), participant=participant)
    now = timezone.now()
    return (
        SupportCircle.objects.filter(
            program=participant.program_id, starts_at__gte=now - timedelta(hours=2)
        )
        .annotate(
            my_answer=Subquery(mine.values("going")[:1], output_field=BooleanField()),
            answerable=ExpressionWrapper(
                Q(starts_at__gt=now) & ~Q(program__status=Program.Status.CLOSED),
                output_field=BooleanField(),
            ),
        )
        .order_by("starts_at")
    )
