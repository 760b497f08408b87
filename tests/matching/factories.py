import factory

from matching.models import MatchRun, Pair
from tests.organizations.factories import TenantFactory
from tests.programs.factories import CohortFactory, ParticipantFactory


class MatchRunFactory(TenantFactory):
    class Meta:
        model = MatchRun

    cohort = factory.SubFactory(CohortFactory)
    organization = factory.SelfAttribute("cohort.organization")


class PairFactory(TenantFactory):
    """A mentor and a mentee of the run's cohort; proposed unless told otherwise."""

    class Meta:
        model = Pair

    run = factory.SubFactory(MatchRunFactory)
    organization = factory.SelfAttribute("run.organization")
    cohort = factory.SelfAttribute("run.cohort")
    program = factory.SelfAttribute("cohort.program")
    mentor = factory.SubFactory(
        ParticipantFactory, cohort=factory.SelfAttribute("..cohort"), role="mentor"
    )
    mentee = factory.SubFactory(
        ParticipantFactory, cohort=factory.SelfAttribute("..cohort"), role="mentee"
    )
    score = 50
    explanation = "Why"
