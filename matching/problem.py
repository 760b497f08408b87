"""From the database to the engine's Problem: who can be matched in a cohort, with what
the engine needs to know about them."""

from collections import defaultdict

from django.db.models import Count

from directory.models import Employee
from directory.zones import zone_for
from matching import engine
from matching.models import Pair
from programs.models import Cohort, Participant, ParticipantTopic, Program, Topic
from programs.training import trained_ids


def reporting_chains(organization, employee_ids) -> dict[int, frozenset[int]]:
    """Each employee's managers up to the top, from the directory's manager links."""
    manager_of = dict(
        Employee.objects.filter(organization=organization).values_list("pk", "manager_id")
    )
    chains = {}
    for employee_id in employee_ids:
        seen, current = [], manager_of.get(employee_id)
        while current is not None and current not in seen and current != employee_id:
            seen.append(current)
            current = manager_of.get(current)
        chains[employee_id] = frozenset(seen)
    return chains


def matchable(cohort: Cohort) -> list[Participant]:
    """Approved people of the cohort who finished the required training."""
    approved = list(
        Participant.objects.filter(cohort=cohort, status=Participant.Status.APPROVED)
        .select_related("employee", "employee__department", "program")
        .order_by("pk")
    )
    ready = trained_ids(approved)
    return [p for p in approved if p.pk in ready]


def build_problem(
    cohort: Cohort, locked=(), *, drafts_hold_places: bool = False
) -> tuple[engine.Problem, dict[int, Participant]]:
    """The engine's view of the cohort, and its participants by id. People already in a
    live pair elsewhere in the program are left out (a mentor keeps their free places).
    With ``drafts_hold_places``, so are the proposed pairs of a draft under review: when
    mentees choose, a draft's pairs keep their places until it is published or replaced
    (a re-run of the engine gives them back, so it does not count them)."""
    program: Program = cohort.program
    people = matchable(cohort)
    live = Pair.objects.filter(
        program=program,
        status__in=[Pair.Status.ACTIVE, Pair.Status.PROPOSED]
        if drafts_hold_places
        else [Pair.Status.ACTIVE],
    )
    busy_mentees = set(live.values_list("mentee_id", flat=True))
    mentor_load = dict(
        live.values("mentor_id").annotate(n=Count("pk")).values_list("mentor_id", "n")
    )
    topics = defaultdict(lambda: ({}, {}))
    for row in ParticipantTopic.objects.filter(participant__in=[p.pk for p in people]):
        teaches, learns = topics[row.participant_id]
        (teaches if row.kind == ParticipantTopic.Kind.TEACH else learns)[row.topic_id] = row.level
    chains = reporting_chains(cohort.organization, [p.employee_id for p in people])

    def person(p: Participant, capacity: int) -> engine.Person:
        employee = p.employee
        teaches, learns = topics[p.pk]
        return engine.Person(
            id=p.pk,
            employee_id=employee.pk,
            name=employee.name,
            department=employee.department.name if employee.department else "",
            level=employee.job_level,
            managers=chains[employee.pk],
            time_zone=zone_for(organization=cohort.organization, participant=p).key,
            availability=frozenset(p.availability),
            languages=frozenset(x.strip().lower() for x in p.languages if x.strip()),
            teaches=teaches,
            learns=learns,
            capacity=capacity,
            birth_year=employee.birth_year,
            location=employee.location,
            asks_for=frozenset(p.asks_for),
            avoids=frozenset(p.avoids),
        )

    mentors = tuple(
        person(p, p.capacity - mentor_load.get(p.pk, 0))
        for p in people
        if p.role == Participant.Role.MENTOR and p.capacity > mentor_load.get(p.pk, 0)
    )
    mentees = tuple(
        person(p, 1)
        for p in people
        if p.role == Participant.Role.MENTEE and p.pk not in busy_mentees
    )
    ended = frozenset(
        Pair.objects.filter(program=program, status=Pair.Status.ENDED).values_list(
            "mentor_id", "mentee_id"
        )
    )
    problem = engine.Problem(
        mentors=mentors,
        mentees=mentees,
        direction=program.direction,
        weights=engine.Weights.from_dict(program.match_weights),
        inclusion=bool({"inclusion", "intergenerational"} & set(program.objectives)),
        ended=ended,
        locked=tuple(locked),
        topic_names=dict(
            Topic.objects.filter(organization=cohort.organization).values_list("pk", "name")
        ),
    )
    return problem, {p.pk: p for p in people}
