from datetime import timedelta

import factory
from django.utils import timezone

from surveys.models import Answer, Assignment, Question, Response, Schedule, Survey
from tests.organizations.factories import TenantFactory
from tests.programs.factories import CohortFactory, ParticipantFactory, ProgramFactory


class SurveyFactory(TenantFactory):
    class Meta:
        model = Survey

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    title = "Pulse"


class QuestionFactory(TenantFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    organization = factory.SelfAttribute("survey.organization")
    type = Question.Type.AGREEMENT
    text = "Worth it?"


class ScheduleFactory(TenantFactory):
    """The survey, for a cohort of its program, at the cohort's start."""

    class Meta:
        model = Schedule

    survey = factory.SubFactory(SurveyFactory)
    organization = factory.SelfAttribute("survey.organization")
    cohort = factory.SubFactory(CohortFactory, program=factory.SelfAttribute("..survey.program"))
    anchor = "cohort_start"


class AssignmentFactory(TenantFactory):
    """Opened ``opened_days_ago`` days ago, for ``open_days`` days (1 and 14)."""

    class Meta:
        model = Assignment

    class Params:
        opened_days_ago = 1
        open_days = 14

    schedule = factory.SubFactory(ScheduleFactory)
    organization = factory.SelfAttribute("schedule.organization")
    participant = factory.SubFactory(
        ParticipantFactory, cohort=factory.SelfAttribute("..schedule.cohort")
    )
    occasion = factory.SelfAttribute("schedule.anchor")
    opens_at = factory.LazyAttribute(lambda a: timezone.now() - timedelta(days=a.opened_days_ago))
    closes_at = factory.LazyAttribute(lambda a: a.opens_at + timedelta(days=a.open_days))


class ResponseFactory(TenantFactory):
    """A released answer sheet: the cohort, the role and the week, never the person."""

    class Meta:
        model = Response

    schedule = factory.SubFactory(ScheduleFactory)
    organization = factory.SelfAttribute("schedule.organization")
    cohort = factory.SelfAttribute("schedule.cohort")
    role = "mentor"
    week = "2027-W01"


class AnswerFactory(TenantFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    organization = factory.SelfAttribute("response.organization")
    question = factory.SubFactory(
        QuestionFactory, survey=factory.SelfAttribute("..response.schedule.survey")
    )
    value = 4
