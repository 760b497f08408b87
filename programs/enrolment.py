"""Enrolment: invitations from the directory, self-nomination, the application (the
profile matching uses), and the program manager's decision."""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.demographics import demographics_record, demographics_withdraw
from directory.models import Employee
from notifications.outbox import outbox_add
from organizations.languages import in_sentence
from organizations.models import Membership
from organizations.roles import Role
from organizations.services import invitation_create_many
from programs import emails
from programs.eligibility import eligibility_problems
from programs.models import Cohort, Participant, ParticipantTopic, Program, ProgramQuestion
from programs.selectors import cohort_approved_count

OPEN = (Participant.Status.INVITED, Participant.Status.APPLIED, Participant.Status.APPROVED)


@dataclass
class InviteOutcome:
    invited: list[Participant] = field(default_factory=list)
    skipped: list[tuple[Employee, str]] = field(default_factory=list)  # (person, why)
    # With a size limit: the places not yet taken by approvals, and how many people were
    # already invited or waiting for a decision before these invitations.
    places_left: int | None = None
    waiting: int = 0

    @property
    def beyond_places(self) -> bool:
        """More people in the running than places left. Allowed, since not everyone
        invited applies; approval stops at the limit."""
        return self.places_left is not None and self.waiting + len(self.invited) > self.places_left


def _ensure_open_for_enrolment(program: Program) -> None:
    if program.open_for_enrolment:
        return
    if program.status == Program.Status.DRAFT:
        raise ValidationError(
            _("The program is still a draft: move it to Recruiting before enrolling anyone.")
        )
    raise ValidationError(
        _("The program is %(status)s: it takes no new people.")
        % {"status": in_sentence(program.get_status_display())}
    )


def _locked_places(cohort_id: int) -> tuple[Cohort, int]:
    """The cohort, locked so that places are counted once at a time, and how many of its
    people are approved."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
    return cohort, cohort_approved_count(cohort)


def _full(cohort: Cohort, approved: int) -> str | None:
    if cohort.size_limit is not None and approved >= cohort.size_limit:
        return ngettext(
            "%(cohort)s is full: %(limit)s person is approved already.",
            "%(cohort)s is full: %(limit)s people are approved already.",
            cohort.size_limit,
        ) % {
            "cohort": cohort.name,
            "limit": cohort.size_limit,
        }
    return None


def _notify(participant: Participant, kind: str) -> None:
    """Written to the outbox with the change: emailed once this commits, broker or not.
    A place can come back to the same status (invited, withdrawn, invited again), and
    each time is news: the key names this occasion only."""
    outbox_add(
        organization=participant.organization,
        kind=emails.OUTBOX_KIND,
        key=f"participant-email:{participant.pk}:{kind}:{uuid.uuid4().hex}",
        args={"participant_id": participant.pk, "kind": kind},
    )


def participant_invite_many(
    *,
    cohort: Cohort,
    employees,
    role: str,
    actor: Membership,
    ip_address: str | None = None,
    dry_run: bool = False,
) -> InviteOutcome:
    """Invite directory entries to ``cohort`` as ``role``.

    Each person is invited or skipped with the reason (already in the program, not
    eligible). Someone who had withdrawn or was not accepted is invited again. People
    who are not yet members of the organisation also get an invitation to join it, as
    participants; members get an email that takes them to their application.

    ``dry_run`` (the preview) runs the same invitation and rolls it back: the outcome
    it reports is exactly what inviting would do, and nothing is kept or sent (the
    emails wait for a commit that never comes).
    """
    with transaction.atomic():
        outcome = _invite_many(
            cohort=cohort, employees=employees, role=role, actor=actor, ip_address=ip_address
        )
        transaction.set_rollback(dry_run)
    return outcome


def _invite_many(*, cohort, employees, role, actor, ip_address) -> InviteOutcome:
    program = cohort.program
    _ensure_open_for_enrolment(program)
    cohort, approved = _locked_places(cohort.pk)
    if full := _full(cohort, approved):
        raise ValidationError(full)
    employees = list(employees)
    existing = {
        p.employee_id: p
        for p in Participant.objects.filter(program=program, employee__in=employees)
        .select_related("cohort")
        .select_for_update()
    }
    # An employee who is already a member (directory.links) is told in the app; anyone
    # else is invited to join the organisation.
    members = {
        m.employee_pk: m
        for m in Membership.objects.filter(
            organization=cohort.organization, employee__in=employees
        ).annotate(employee_pk=F("employee__pk"))
    }
    outcome, joining = InviteOutcome(), []
    if cohort.size_limit is not None:
        outcome.places_left = cohort.size_limit - approved
        outcome.waiting = cohort.participants.filter(
            status__in=(Participant.Status.INVITED, Participant.Status.APPLIED)
        ).count()
    for employee in employees:
        earlier = existing.get(employee.pk)
        if earlier is not None and earlier.status in OPEN:
            outcome.skipped.append(
                (
                    employee,
                    _("already in this program (%(cohort)s, %(status)s)")
                    % {"cohort": earlier.cohort.name, "status": earlier.get_status_display()},
                )
            )
            continue
        problems = eligibility_problems(program=program, employee=employee, role=role)
        membership = members.get(employee.pk)
        if membership is not None and not membership.is_active:
            problems.append(_("%(name)s's membership is deactivated.") % {"name": employee.name})
        if problems:
            outcome.skipped.append((employee, " ".join(problems)))
            continue
        participant = earlier or Participant(
            organization=cohort.organization, program=program, employee=employee
        )
        participant.cohort = cohort
        participant.role = role
        participant.status = Participant.Status.INVITED
        participant.source = Participant.Source.INVITED
        participant.invited_by = actor
        participant.applied_at = participant.decided_at = None
        participant.decision_message = ""
        participant.save()
        outcome.invited.append(participant)
        if membership is None:
            joining.append(employee.email.lower())
        else:
            _notify(participant, "invited")
    if joining:
        # Their invitation to the organisation is their way in; once they accept, their
        # programs page shows this invitation.
        invitation_create_many(
            organization=cohort.organization,
            actor=actor.user,
            emails=joining,
            roles={Role.PARTICIPANT},
            grantable_roles={Role.PARTICIPANT},
            ip_address=ip_address,
        )
    return outcome


def participant_invite_one(
    *,
    cohort: Cohort,
    employee: Employee,
    role: str,
    actor: Membership,
    ip_address: str | None = None,
) -> Participant:
    """Invite one person, or refuse with the reason."""
    outcome = participant_invite_many(
        cohort=cohort, employees=[employee], role=role, actor=actor, ip_address=ip_address
    )
    if outcome.skipped:
        person, why = outcome.skipped[0]
        raise ValidationError(_("%(name)s: %(why)s") % {"name": person.name, "why": why})
    return outcome.invited[0]


@transaction.atomic
def participant_nominate(*, cohort: Cohort, employee: Employee, role: str) -> Participant:
    """A person puts themselves forward through the cohort's self-nomination link; they
    then fill in their application."""
    program = cohort.program
    if not cohort.self_nomination_open or not program.open_for_enrolment:
        raise ValidationError(_("This cohort is not open to self-nomination."))
    cohort, approved = _locked_places(cohort.pk)
    if full := _full(cohort, approved):
        raise ValidationError(full)
    if role not in Participant.Role.values:
        raise ValidationError(_("Choose to take part as a mentor or as a mentee."))
    earlier = (
        Participant.objects.select_for_update().filter(program=program, employee=employee).first()
    )
    if earlier is not None and earlier.status in OPEN:
        raise ValidationError(_("You are already in this program."))
    problems = eligibility_problems(program=program, employee=employee, role=role)
    if problems:
        raise ValidationError(problems)
    participant = earlier or Participant(
        organization=cohort.organization, program=program, employee=employee
    )
    participant.cohort = cohort
    participant.role = role
    participant.status = Participant.Status.INVITED
    participant.source = Participant.Source.SELF_NOMINATED
    participant.invited_by = None
    participant.applied_at = participant.decided_at = None
    participant.decision_message = ""
    participant.save()
    return participant


@dataclass
class Application:
    """What a person says about themselves on the application form."""

    teach: dict  # Topic -> level 1..5
    learn: dict  # Topic -> level 1..5 (how much they want it)
    goals: str
    expectations: str
    availability: list[str]
    time_zone: str
    languages: list[str]
    capacity: int
    answers: dict[str, str]
    accepts_ground_rules: bool
    demographics: dict | None = None  # only when the person ticked the consent box
    withdraw_demographics: bool = False  # they cleared every answer they had given
    asks_for: list[int] = field(default_factory=list)  # employee ids
    avoids: list[int] = field(default_factory=list)


@transaction.atomic
def participant_apply(*, participant: Participant, application: Application) -> Participant:
    """Submit the application, or change it while the program has not started matching.
    All or nothing: every problem is reported and nothing is saved."""
    participant = (
        Participant.objects.select_for_update()
        .select_related("program", "cohort", "employee")
        .get(pk=participant.pk)
    )
    program = participant.program
    if participant.status not in OPEN:
        raise ValidationError(
            _("This place is %(status)s.") % {"status": participant.get_status_display()}
        )
    if not participant.profile_editable:
        raise ValidationError(_("Matching has started: the profile can no longer be changed."))
    problems = []
    if participant.status == Participant.Status.INVITED:
        _ensure_open_for_enrolment(program)
        problems += eligibility_problems(
            program=program, employee=participant.employee, role=participant.role
        )
    problems += _application_problems(participant, application)
    if problems:
        raise ValidationError(problems)

    for name in ("goals", "expectations", "availability", "time_zone", "languages"):
        setattr(participant, name, getattr(application, name))
    participant.capacity = application.capacity if participant.is_mentor else 1
    participant.answers = application.answers
    participant.asks_for, participant.avoids = application.asks_for, application.avoids
    participant.ground_rules_accepted_at = participant.ground_rules_accepted_at or timezone.now()
    if participant.status == Participant.Status.INVITED:
        participant.status = Participant.Status.APPLIED
        participant.applied_at = timezone.now()
    participant.save()
    ParticipantTopic.objects.filter(participant=participant).delete()
    ParticipantTopic.objects.bulk_create(
        [
            ParticipantTopic(
                organization=participant.organization,
                participant=participant,
                topic=topic,
                kind=kind,
                level=level,
            )
            for kind, chosen in (
                (ParticipantTopic.Kind.TEACH, application.teach if participant.teaches else {}),
                (ParticipantTopic.Kind.LEARN, application.learn if participant.learns else {}),
            )
            for topic, level in chosen.items()
        ]
    )
    if application.demographics is not None:
        demographics_record(
            organization=participant.organization,
            employee=participant.employee,
            answers=application.demographics,
        )
    elif application.withdraw_demographics:
        demographics_withdraw(organization=participant.organization, employee=participant.employee)
    return participant


def _application_problems(participant: Participant, application: Application) -> list[str]:
    program = participant.program
    problems = []
    if not application.accepts_ground_rules:
        problems.append(_("Accept the program's ground rules to take part."))
    offered = set(program.programtopic_set.values_list("topic_id", flat=True))
    chosen = [*application.teach, *application.learn]
    if any(topic.pk not in offered for topic in chosen):
        problems.append(_("Choose topics from this program's list."))
    if any(
        not 1 <= level <= 5 for level in [*application.teach.values(), *application.learn.values()]
    ):
        problems.append(_("Topic levels go from 1 to 5."))
    if participant.teaches and not application.teach:
        problems.append(_("Choose at least one topic you can teach."))
    if participant.learns and not application.learn:
        problems.append(_("Choose at least one topic you want to learn."))
    if not application.goals.strip():
        problems.append(_("Say in a sentence or two what you want from the program."))
    if not application.availability:
        problems.append(_("Tick at least one time when you could meet."))
    if not application.languages:
        problems.append(_("Name at least one language you can hold a session in."))
    if participant.employee_id in {*application.asks_for, *application.avoids}:
        problems.append(_("You cannot ask for or avoid yourself."))
    if set(application.asks_for) & set(application.avoids):
        problems.append(_("Someone cannot be both asked for and avoided."))
    if participant.role == Participant.Role.MENTOR and not 1 <= application.capacity <= 3:
        problems.append(_("A mentor takes 1, 2 or 3 mentees."))
    for question in ProgramQuestion.objects.filter(program=program, required=True):
        if not application.answers.get(str(question.pk), "").strip():
            problems.append(_("Answer “%(question)s”.") % {"question": question.text})
    return problems


@transaction.atomic
def participant_decide(
    *, participant: Participant, approve: bool, message: str = "", actor: Membership
) -> Participant:
    """Approve an application, or decline it with a message to the person."""
    participant = (
        Participant.objects.select_for_update()
        .select_related("program", "employee")
        .get(pk=participant.pk)
    )
    if participant.status != Participant.Status.APPLIED:
        raise ValidationError(
            _("Only an application can be decided on; this place is %(status)s.")
            % {"status": participant.get_status_display()}
        )
    if approve:
        # The rules may have changed since the person applied: approve by today's.
        problems = eligibility_problems(
            program=participant.program, employee=participant.employee, role=participant.role
        )
        if problems:
            raise ValidationError(problems)
        cohort, approved = _locked_places(participant.cohort_id)
        if full := _full(cohort, approved):
            raise ValidationError(full)
    elif not message.strip():
        raise ValidationError(_("Tell the person why, in a sentence: they will read it."))
    participant.status = Participant.Status.APPROVED if approve else Participant.Status.REJECTED
    participant.decided_at = timezone.now()
    participant.decision_message = message.strip()
    participant.save(update_fields=["status", "decided_at", "decision_message", "updated_at"])
    _notify(participant, "approved" if approve else "rejected")
    return participant


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, message: str = "", by_manager: bool
) -> Participant:
    """Leave the program (the person) or take someone out of it (a program manager,
    with a message to them)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status not in OPEN:
        raise ValidationError(
            _("This place is already %(status)s.") % {"status": participant.get_status_display()}
        )
    if by_manager and not message.strip():
        raise ValidationError(_("Tell the person why, in a sentence: they will read it."))
    participant.status = Participant.Status.WITHDRAWN
    participant.decided_at = timezone.now()
    participant.decision_message = message.strip()
    participant.save(update_fields=["status", "decided_at", "decision_message", "updated_at"])
    if by_manager:
        _notify(participant, "withdrawn")
    return participant
