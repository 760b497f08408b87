"""A pair with a history: Ann Junior (mentor, ann@acme.example) and Dan Senior (mentee),
each with the writing, answers, notices and audit entries a person leaves in Acme."""

from datetime import timedelta

from django.utils import timezone

from matching import services as matching
from matching.models import Pair
from notifications.models import Notification
from organizations.audit import audit_record
from organizations.models import AuditAction, Invitation, Membership
from organizations.tenancy import tenant_context
from sessions import conversation
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection
from surveys.models import Answer, Concern, Question, Response, Schedule, Survey
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

ANN_NAME, ANN_EMAIL = "Ann Junior", "ann@acme.example"


def build_story(acme, world, acme_admin) -> dict:
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.select_related("mentor__employee", "mentee__employee").get(
            run=run, mentee=world["Dan"]
        )
    ann = MembershipFactory(
        organization=acme, user=UserFactory(email=ANN_EMAIL, name=ANN_NAME)
    ).user
    dan = MembershipFactory(
        organization=acme, user=UserFactory(email="dan@acme.example", name="Dan Senior")
    ).user
    mentor, mentee = pair.mentor, pair.mentee
    now = timezone.now()
    with tenant_context(organization=acme):
        ann_membership = Membership.objects.get(user=ann)
        session = MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=now - timedelta(days=3), status="held"
        )
        Reflection.objects.create(
            organization=acme, session=session, participant=mentor, rating=5,
            learned="Ann learned how Dan decides", taught="Ann taught prompt writing",
        )  # fmt: skip
        Goal.objects.create(organization=acme, pair=pair, title="Try Copilot", owner=mentor)
        Commitment.objects.create(
            organization=acme, pair=pair, participant=mentee, text="Use AI weekly", theme="tool"
        )
        survey = Survey.objects.create(organization=acme, program=world["program"], title="Pulse")
        question = Question.objects.create(
            organization=acme, survey=survey, type="text", text="What did you get?"
        )
        schedule = Schedule.objects.create(
            organization=acme, survey=survey, cohort=world["cohort"], anchor="cohort_start"
        )
        attributed = Response.objects.create(
            organization=acme, schedule=schedule, cohort=world["cohort"], role="mentor",
            week="2027-W05", participant=mentor, department="Sales", level=2,
        )  # fmt: skip
        Answer.objects.create(
            organization=acme, response=attributed, question=question, value="Ann's attributed"
        )
        anonymous = Response.objects.create(
            organization=acme, schedule=schedule, cohort=world["cohort"], role="mentor",
            week="2027-W05",
        )  # fmt: skip
        Answer.objects.create(
            organization=acme, response=anonymous, question=question, value="Anonymous words"
        )
        Concern.objects.create(
            organization=acme, program=world["program"], pair=pair, author=mentor,
            text="Ann worries the pair drifts", week="2027-W05",
        )  # fmt: skip
        Notification.objects.create(
            organization=acme, recipient=ann_membership, kind="pair_published",
            key="pair_published:1", title="You have been paired", body="With Dan Senior",
            send_after=now,
        )  # fmt: skip
        audit_record(
            organization=acme, actor=ann, action=AuditAction.SIGNED_IN, target=ann,
            ip_address="203.0.113.9",
        )  # fmt: skip
        audit_record(
            organization=acme, actor=acme_admin, action=AuditAction.MEMBER_ROLES_CHANGED,
            target=ann_membership, details={"email": ANN_EMAIL, "name": ANN_NAME},
        )  # fmt: skip
        Invitation.objects.create(
            organization=acme, email=ANN_EMAIL, is_participant=True, token_hash="x" * 64,
            expires_at=now + timedelta(days=3), accepted_at=now, accepted_by=ann,
        )  # fmt: skip
    with tenant_context(organization=acme, user=ann):
        Note.objects.create(
            organization=acme, session=session, author=mentor, author_user=ann,
            visibility="private", text="Ann's private note",
        )  # fmt: skip
        Note.objects.create(
            organization=acme, session=session, author=mentor, author_user=ann,
            visibility="shared", text="Ann's shared note",
        )  # fmt: skip
        conversation.message_send(pair=pair, sender=mentor, text="Hello from Ann")
    with tenant_context(organization=acme, user=dan):
        Note.objects.create(
            organization=acme, session=session, author=mentee, author_user=dan,
            visibility="private", text="Dan's private note",
        )  # fmt: skip
        conversation.message_send(pair=pair, sender=mentee, text="Hello from Dan")
    return {
        "pair": pair,
        "ann": ann,
        "dan": dan,
        "session": session,
        "attributed": attributed,
        "anonymous": anonymous,
    }
