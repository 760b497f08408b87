"""Training, guides and resources: seeding a program's defaults and tracking who
completed which module."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    """Give a new program the default training modules, guides and agenda templates, in
    its organisation's language (not the language of whoever created the program): they
    are the program's content from then on, and stay as written."""
    with translation.override(program.organization.locale):
        _seed_defaults(program)


def _seed_defaults(program: Program) -> None:
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


# The one meaning of "trained", wherever Upturn says it: the cohort's list and funnel,
# the readiness check before matching, the matching itself, the training reminders and the
# executive dashboard all go through ``training_progress`` below.
TRAINED_MEANS = gettext_lazy(
    "Trained means every module marked required before matching for the person's role is "
    "done, whether or not their application has been approved yet."
)


def training_progress(participants, *, by: datetime | None = None) -> dict[int, tuple[int, int]]:
    """Of ``participants`` (of any programs), for each id: (how many modules their role
    must complete before matching, how many of those they had completed, by ``by`` when
    given). Two queries whatever the number; ``participants`` may be a queryset, which
    the completions then read as a subquery rather than a list of every id."""
    ids = participants.values("pk") if isinstance(participants, QuerySet) else None
    participants = list(participants)
    if not participants:
        return {}
    required: dict[tuple[int, str], set[int]] = {}
    modules = TrainingModule.objects.filter(
        program__in={p.program_id for p in participants}, required_before_matching=True
    ).values_list("pk", "program_id", "audience")
    for module_id, program_id, audience in modules:
        for role, role_audience in AUDIENCE_OF_ROLE.items():
            if audience in (Audience.EVERYONE, role_audience):
                required.setdefault((program_id, role), set()).add(module_id)
    completions = TrainingCompletion.objects.filter(
        participant__in=[p.pk for p in participants] if ids is None else ids
    )
    if by is not None:
        completions = completions.filter(completed_at__lt=by)
    done: dict[int, set[int]] = {}
    for participant_id, module_id in completions.values_list("participant_id", "module_id"):
        done.setdefault(participant_id, set()).add(module_id)
    progress = {}
    for p in participants:
        needed = required.get((p.program_id, p.role), set())
        progress[p.pk] = (len(needed), len(needed & done.get(p.pk, set())))
    return progress


def trained_ids(participants, *, by: datetime | None = None) -> set[int]:
    """Of ``participants``, the ids of those trained (``TRAINED_MEANS``)."""
    return {
        pk
        for pk, (required, completed) in training_progress(participants, by=by).items()
        if completed >= required
    }
