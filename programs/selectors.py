from collections.abc import Callable

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership, Organization
from organizations.permissions import has_permission, has_permission_everywhere
from programs.models import (
    Audience,
    Cohort,
    Participant,
    Program,
    ProgramManager,
    Resource,
    Topic,
    TrainingModule,
)
from programs.training import AUDIENCE_OF_ROLE, trained_ids

OPEN_PLACES = (Participant.Status.INVITED, Participant.Status.APPLIED, Participant.Status.APPROVED)


def programs_managed_by(credential, permission: str = "program.manage") -> QuerySet[Program]:
    """The programs on which ``credential`` (a membership, or an API key) holds
    ``permission``: every program of the organisation through a role that holds it
    organisation-wide (an admin; an executive, for the reports), only the programs of
    their ProgramManager rows through the program manager role, else none. Every
    program-scoped view and list reads its programs through here."""
    if not has_permission(credential, permission):
        return Program.objects.none()
    programs = Program.objects.filter(organization_id=credential.organization_id)
    if has_permission_everywhere(credential, permission):
        return programs
    managed = ProgramManager.objects.filter(membership=credential).values("program_id")
    return programs.filter(pk__in=managed)


def program_manager_links() -> QuerySet[ProgramManager]:
    """The ProgramManager rows of people who still manage: active members who hold the
    program manager (or admin) role. A row outlives a role taken away; whoever no longer
    has it must stop receiving the program's digests and alerts, which name pairs."""
    return ProgramManager.objects.filter(membership__is_active=True).filter(
        Q(membership__is_program_manager=True) | Q(membership__is_admin=True)
    )


def program_list(*, credential, permission: str = "program.view") -> QuerySet[Program]:
    """The programs list: the ones within the member's reach, with their topic counts."""
    return programs_managed_by(credential, permission).annotate(
        topic_count=Count("programtopic", distinct=True)
    )


def program_topics(program: Program) -> QuerySet[Topic]:
    return Topic.objects.filter(programtopic__program=program).order_by("name")


def topic_list(*, organization: Organization) -> QuerySet[Topic]:
    return Topic.objects.filter(organization=organization).order_by("-is_active", "name")


FUNNEL_STAGES = [
    ("invited", _("Invited")),
    ("applied", _("Applied")),
    ("approved", _("Approved")),
    ("trained", _("Trained")),
    ("matched", _("Matched")),
    ("active", _("In an active pair")),
]


# Matching builds on programs and knows who is paired: it registers, when it loads, a
# source giving a cohort's (ever matched, in an active pair now) participant ids.
PairedSource = Callable[[Cohort], tuple[set[int], set[int]]]
_PAIRED_SOURCES: list[PairedSource] = []


def register_paired_source(source: PairedSource) -> None:
    if source not in _PAIRED_SOURCES:
        _PAIRED_SOURCES.append(source)


def cohort_people(cohort: Cohort) -> list[Participant]:
    """Everyone who was ever invited to or nominated for ``cohort``, each with ``stages``:
    the funnel stages they reached (an approved person has also applied; a trained one
    too, but may still be waiting for approval)."""
    people = list(
        Participant.objects.filter(cohort=cohort).select_related(
            "employee", "employee__department", "program"
        )
    )
    trained = trained_ids(people)
    matched, active = set(), set()
    for source in _PAIRED_SOURCES:
        ever, now = source(cohort)
        matched |= ever
        active |= now
    for person in people:
        person.stages = {"invited"}
        if person.applied_at:
            person.stages.add("applied")
        if person.status == Participant.Status.APPROVED:
            person.stages.add("approved")
        if person.pk in trained and person.applied_at:
            # Trained whether approved yet or not (programs.training.TRAINED_MEANS).
            person.stages.add("trained")
        if person.pk in matched:
            person.stages.add("matched")
        if person.pk in active:
            person.stages.add("active")
    return people


def funnel_counts(people: list[Participant]) -> list[tuple[str, str, int]]:
    return [
        (stage, label, sum(stage in person.stages for person in people))
        for stage, label in FUNNEL_STAGES
    ]


def participations_of(*, organization: Organization, user) -> QuerySet[Participant]:
    """A signed-in person's places in programs: those of the directory entry linked to
    their membership (directory.links)."""
    return (
        Participant.objects.filter(organization=organization, employee__member__user=user)
        .select_related("program", "cohort", "employee")
        .order_by("-invited_at")
    )


def open_cohorts_for_nomination(*, organization: Organization) -> QuerySet[Cohort]:
    """Cohorts taking self-nominations that still have a place (a full one would only
    refuse the person at the next step)."""
    return (
        Cohort.objects.filter(
            organization=organization,
            self_nomination_open=True,
            program__status__in=[
                Program.Status.RECRUITING,
                Program.Status.MATCHING,
                Program.Status.ACTIVE,
            ],
        )
        .annotate(
            approved=Count("participants", filter=Q(participants__status="approved")),
        )
        .filter(Q(size_limit__isnull=True) | Q(approved__lt=F("size_limit")))
        .select_related("program")
    )


def cohort_approved_count(cohort: Cohort) -> int:
    return cohort.participants.filter(status=Participant.Status.APPROVED).count()


def cohort_is_full(cohort: Cohort) -> bool:
    """No place left: as many people approved as the size limit allows."""
    return cohort.size_limit is not None and cohort_approved_count(cohort) >= cohort.size_limit


def program_material(
    model: type[TrainingModule] | type[Resource],
    *,
    organization: Organization,
    membership: Membership,
    user,
    program_id: int,
) -> QuerySet:
    """A program's training modules or resources that this member may open: all of them
    for its staff (an admin, or one of its program managers); for a participant, those
    meant for their role while their place is open (invited, applied or approved); for
    anyone else, none."""
    items = model.objects.filter(organization=organization, program_id=program_id)
    if programs_managed_by(membership, "program.view").filter(pk=program_id).exists():
        return items
    roles = set(
        participations_of(organization=organization, user=user)
        .filter(program_id=program_id, status__in=OPEN_PLACES)
        .values_list("role", flat=True)
    )
    if not roles:
        return items.none()
    return items.filter(audience__in={Audience.EVERYONE, *(AUDIENCE_OF_ROLE[r] for r in roles)})


def chosen_zones(organization: Organization, membership_ids: set[int]) -> list[tuple[int, str]]:
    """(membership id, zone name) of the places that give a zone, each person's latest
    place first: their own choice for ``directory.zones`` (registered in apps.py)."""
    return list(
        Participant.objects.filter(organization=organization, employee__member__in=membership_ids)
        .exclude(time_zone="")
        .order_by("-invited_at", "-pk")
        .values_list("employee__member", "time_zone")
    )
