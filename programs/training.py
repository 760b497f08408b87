"""Training, guides and resources: seeding a program's defaults and tracking who
completed which module."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from programs import defaults
from programs.models import (
    Audience,
    Participant,
    Program,
    Resource,
    TrainingCompletion,
    TrainingModule,
)

AUDIENCE_OF_ROLE = {
    Participant.Role.MENTOR: Audience.MENTORS,
    Participant.Role.MENTEE: Audience.MENTEES,
}


def for_role(queryset: QuerySet, role: str) -> QuerySet:
    """Modules or resources meant for ``role`` (theirs and everyone's)."""
    return queryset.filter(Q(audience=Audience.EVERYONE) | Q(audience=AUDIENCE_OF_ROLE[role]))


def modules_for(participant: Participant) -> QuerySet[TrainingModule]:
    return for_role(TrainingModule.objects.filter(program=participant.program_id), participant.role)


# What each default agenda template (defaults.RESOURCES, in its order there) is for: the
# marker scheduling finds them by, whatever the program manager renames them to later.
DEFAULT_AGENDA_PURPOSES = (
    Resource.Purpose.FIRST_SESSION,
    Resource.Purpose.REGULAR,
    Resource.Purpose.CLOSING,
)


@transaction.atomic
def program_seed_defaults(*, program: Program) -> None:
    """Give a new program the default training modules, guides and agenda templates."""
    TrainingModule.objects.bulk_create(
        TrainingModule(
            organization=program.organization,
            program=program,
            title=str(title),
            audience=audience,
            required_before_matching=required,
            body=str(body),
            position=position,
        )
        for position, (directions, title, audience, required, body) in enumerate(
            defaults.TRAINING_MODULES
        )
        if program.direction in directions
    )
    purposes = iter(DEFAULT_AGENDA_PURPOSES)
    Resource.objects.bulk_create(
        Resource(
            organization=program.organization,
            program=program,
            kind=kind,
            purpose=next(purposes, "") if kind == Resource.Kind.AGENDA else "",
            title=str(title),
            body=str(body),
            position=position,
        )
        for position, (kind, title, body) in enumerate(defaults.RESOURCES)
    )


@transaction.atomic
def training_complete(*, participant: Participant, module: TrainingModule) -> TrainingCompletion:
    """Record that the person finished ``module``; doing it twice is still once."""
    participant = Participant.objects.get(pk=participant.pk)
    if not modules_for(participant).filter(pk=module.pk).exists():
        raise ValidationError(_("This module is not part of your training."))
    if participant.status not in (Participant.Status.APPLIED, Participant.Status.APPROVED):
        raise ValidationError(_("Training opens once you have applied."))
    completion, _created = TrainingCompletion.objects.get_or_create(
        organization=participant.organization, participant=participant, module=module
    )
    return completion


@transaction.atomic
def training_undo(*, participant: Participant, module: TrainingModule) -> None:
    TrainingCompletion.objects.filter(participant=participant, module=module).delete()


def trained_ids(participants) -> set[int]:
    """Of ``participants`` (all of one program), the ids of those who completed every
    module required of their role before matching. Two queries whatever the number."""
    participants = list(participants)
    if not participants:
        return set()
    program_id = participants[0].program_id
    required = {
        role: set(
            for_role(
                TrainingModule.objects.filter(program=program_id, required_before_matching=True),
                role,
            ).values_list("pk", flat=True)
        )
        for role in Participant.Role.values
    }
    done: dict[int, set[int]] = {}
    for participant_id, module_id in TrainingCompletion.objects.filter(
        participant__in=[p.pk for p in participants]
    ).values_list("participant_id", "module_id"):
        done.setdefault(participant_id, set()).add(module_id)
    return {p.pk for p in participants if required[p.role] <= done.get(p.pk, set())}
