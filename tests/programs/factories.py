"""Programs, cohorts and the people in them. Each row's organisation follows the row it
hangs off (a cohort's follows its program), so one organisation passed at the top is
enough."""

from datetime import date

import factory

from programs.models import (
    Cohort,
    Participant,
    ParticipantTopic,
    Program,
    ProgramManager,
    ProgramTopic,
    Topic,
)
from tests.organizations.factories import EmployeeFactory, MembershipFactory, TenantFactory


class TopicFactory(TenantFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["organization", "name"]

    name = "Generative AI tools"


class ProgramFactory(TenantFactory):
    class Meta:
        model = Program

    name = "Reverse"
    start_date = date(2027, 1, 1)
    end_date = date(2027, 9, 30)


class ProgramTopicFactory(TenantFactory):
    class Meta:
        model = ProgramTopic

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    topic = factory.SubFactory(TopicFactory, organization=factory.SelfAttribute("..organization"))


class ProgramManagerFactory(TenantFactory):
    """``membership`` manages ``program``."""

    class Meta:
        model = ProgramManager

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    membership = factory.SubFactory(
        MembershipFactory,
        organization=factory.SelfAttribute("..organization"),
        is_program_manager=True,
        is_participant=False,
    )


class CohortFactory(TenantFactory):
    class Meta:
        model = Cohort

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    name = "Pilot"
    start_date = date(2027, 1, 1)
    end_date = date(2027, 6, 30)


class ParticipantFactory(TenantFactory):
    """A person in a cohort (its program's), approved unless told otherwise."""

    class Meta:
        model = Participant

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")
    program = factory.SelfAttribute("cohort.program")
    employee = factory.SubFactory(
        EmployeeFactory, organization=factory.SelfAttribute("..organization")
    )
    role = Participant.Role.MENTOR
    status = Participant.Status.APPROVED


class ParticipantTopicFactory(TenantFactory):
    class Meta:
        model = ParticipantTopic

    participant = factory.SubFactory(ParticipantFactory)
    organization = factory.SelfAttribute("participant.organization")
    topic = factory.SubFactory(TopicFactory, organization=factory.SelfAttribute("..organization"))
    kind = factory.LazyAttribute(lambda t: "teach" if t.participant.role == "mentor" else "learn")
    level = 3
