"""Writes for programs and the topic catalogue."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.dates import program_range
from organizations.models import Membership, Organization
from programs.models import (
    Participant,
    Program,
    ProgramManager,
    ProgramQuestion,
    ProgramTopic,
    Resource,
    Topic,
    TrainingModule,
)
from programs.training import program_seed_defaults, trained_ids

SUGGESTED_TOPICS = [
    ("Generative AI tools", "Using AI assistants well, and knowing their limits."),
    ("Social media", "How people and brands speak on today's platforms."),
    ("Data literacy", "Reading, questioning and presenting data."),
    ("What younger colleagues expect at work", "Feedback, flexibility, purpose and growth."),
    ("Inclusive leadership", "Leading so that everyone can contribute."),
    ("Collaboration tools", "Chat, shared documents and working in the open."),
    ("Strategy", "How the organisation decides where to go."),
    ("Navigating the organisation", "Who decides what, and how to get things done."),
]

# Which status may follow which; the guards are in program_change_status. Going from
# matching to active is publishing the pairs, which the matching workflow does.
TRANSITIONS: dict[str, set[str]] = {
    Program.Status.DRAFT: {Program.Status.RECRUITING},
    Program.Status.RECRUITING: {Program.Status.DRAFT, Program.Status.MATCHING},
    Program.Status.MATCHING: {Program.Status.RECRUITING},
    Program.Status.ACTIVE: {Program.Status.CLOSING},
    Program.Status.CLOSING: {Program.Status.ACTIVE, Program.Status.CLOSED},
}


@transaction.atomic
def topic_catalogue_add_suggestions(*, organization: Organization) -> int:
    """Add the suggested topics the catalogue does not have yet; return how many."""
    existing = set(Topic.objects.filter(organization=organization).values_list("name", flat=True))
    new = [
        Topic(organization=organization, name=name, description=description)
        for name, description in SUGGESTED_TOPICS
        if name not in existing
    ]
    Topic.objects.bulk_create(new)
    return len(new)


def _set_links(program: Program, topics, managers) -> None:
    organization = program.organization
    ProgramTopic.objects.filter(program=program).exclude(topic__in=topics).delete()
    linked = set(ProgramTopic.objects.filter(program=program).values_list("topic_id", flat=True))
    ProgramTopic.objects.bulk_create(
        [
            ProgramTopic(organization=organization, program=program, topic=t)
            for t in topics
            if t.pk not in linked
        ]
    )
    ProgramManager.objects.filter(program=program).exclude(membership__in=managers).delete()
    assigned = set(
        ProgramManager.objects.filter(program=program).values_list("membership_id", flat=True)
    )
    ProgramManager.objects.bulk_create(
        [
            ProgramManager(organization=organization, program=program, membership=m)
            for m in managers
            if m.pk not in assigned
        ]
    )


@transaction.atomic
def program_save(*, program: Program, topics, managers: list[Membership]) -> Program:
    """Create or update a program with its topics and program managers, all or nothing."""
    program.full_clean()
    is_new = program.pk is None
    program.save()
    _set_links(program, list(topics), list(managers))
    if is_new:
        program_seed_defaults(program=program)
    return program


def _copy_name(name: str) -> str:
    """ "<name> (copy)", the name shortened (with an ellipsis) where both would not fit."""
    limit = Program._meta.get_field("name").max_length
    copy_name = _("%(name)s (copy)") % {"name": name}
    overflow = len(copy_name) - limit
    if overflow > 0:
        copy_name = _("%(name)s (copy)") % {"name": name[: -(overflow + 1)].rstrip() + "…"}
    return copy_name


@transaction.atomic
def program_copy(*, program: Program) -> Program:
    """A new draft like ``program``, starting the day after it ends, for the next wave.
    Refused if its dates would fall beyond ``organizations.dates.program_range``."""
    length = program.end_date - program.start_date
    start = program.end_date + timedelta(days=1)
    latest = program_range(timezone.localdate()).latest
    if start > latest or length > latest - start:  # compared before adding: no overflow
        raise ValidationError(
            _(
                "A copy would run from %(start)s for as long as this program, beyond "
                "%(latest)s, the latest a program may end. Create a new program instead."
            )
            % {"start": start, "latest": latest}
        )
    copy = Program.objects.get(pk=program.pk)
    copy.pk = None
    copy.name = _copy_name(program.name)
    copy.status = Program.Status.DRAFT
    copy.start_date = start
    copy.end_date = start + length
    copy.full_clean()
    copy.save()
    _set_links(
        copy,
        list(Topic.objects.filter(programtopic__program=program)),
        list(Membership.objects.filter(programmanager__program=program)),
    )
    # Training, reading (each agenda with its purpose, so the next wave's first session
    # still starts with getting to know each other) and the program's own questions come
    # along; people do not.
    for model in (TrainingModule, Resource, ProgramQuestion):
        items = list(model.objects.filter(program=program))
        for item in items:
            item.pk, item.program = None, copy
        model.objects.bulk_create(items)
    return copy


@transaction.atomic
def program_change_status(*, program: Program, to: str) -> Program:
    program = Program.objects.select_for_update().get(pk=program.pk)
    if to not in TRANSITIONS.get(program.status, set()):
        raise ValidationError(
            _("A program cannot go from %(current)s to %(to)s.")
            % {"current": program.get_status_display(), "to": Program.Status(to).label}
        )
    if to == Program.Status.DRAFT and Participant.objects.filter(program=program).exists():
        raise ValidationError(
            _(
                "People have been invited to this program already, so it cannot go back to "
                "draft. Its details can still be changed while it recruits."
            )
        )
    if to == Program.Status.RECRUITING:
        # One whole sentence for each case a translator can render as their language says
        # it (no "and" glued between fragments).
        no_topic = not ProgramTopic.objects.filter(program=program).exists()
        no_manager = not ProgramManager.objects.filter(program=program).exists()
        if no_topic and no_manager:
            raise ValidationError(
                _("Before recruiting, the program needs at least one topic and a program manager.")
            )
        if no_topic:
            raise ValidationError(_("Before recruiting, the program needs at least one topic."))
        if no_manager:
            raise ValidationError(_("Before recruiting, the program needs a program manager."))
    if to == Program.Status.MATCHING:
        _ensure_ready_for_matching(program)
    program.status = to
    program.save(update_fields=["status"])
    return program


def _ensure_ready_for_matching(program: Program) -> None:
    """Matching needs at least one approved, trained mentor and mentee."""
    approved = list(Participant.objects.filter(program=program, status=Participant.Status.APPROVED))
    ready = trained_ids(approved)
    roles_ready = {p.role for p in approved if p.pk in ready}
    missing = [label for role, label in Participant.Role.choices if role not in roles_ready]
    if missing:
        raise ValidationError(
            _(
                "Matching needs at least one approved mentor and one approved mentee who "
                "have completed the required training. Missing: %(missing)s."
            )
            % {"missing": ", ".join(str(label).lower() for label in missing)}
        )
