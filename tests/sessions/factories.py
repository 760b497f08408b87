from datetime import timedelta

import factory
from django.utils import timezone

from notifications.models import Notification
from sessions.models import Commitment, Goal, MentoringSession, SupportCircle
from tests.matching.factories import PairFactory
from tests.organizations.factories import MembershipFactory, TenantFactory
from tests.programs.factories import ProgramFactory


class MentoringSessionFactory(TenantFactory):
    """A scheduled session of a pair, three days from now unless told otherwise."""

    class Meta:
        model = MentoringSession

    pair = factory.SubFactory(PairFactory)
    organization = factory.SelfAttribute("pair.organization")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))


class GoalFactory(TenantFactory):
    class Meta:
        model = Goal

    pair = factory.SubFactory(PairFactory)
    organization = factory.SelfAttribute("pair.organization")
    title = "Try Copilot"


class CommitmentFactory(TenantFactory):
    """The pair's mentee commits to something, unless another participant is given."""

    class Meta:
        model = Commitment

    pair = factory.SubFactory(PairFactory)
    organization = factory.SelfAttribute("pair.organization")
    participant = factory.SelfAttribute("pair.mentee")
    text = "Use AI"
    theme = "tool"


class SupportCircleFactory(TenantFactory):
    class Meta:
        model = SupportCircle

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    title = "Mentors' circle"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))


class NotificationFactory(TenantFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("recipient.organization")
    kind = "milestone"
    key = "milestone:cohort:1:kickoff"
    title = "Kick-off"
    body = "The pilot starts today."
    send_after = factory.LazyFunction(timezone.now)
