"""An organisation holding one object of every tenant-owned kind: the "world" that the
cross-tenant test (tests/test_cross_tenant.py) points every route at, and that the
row-level security test (tests/organizations/test_row_level_security.py) fills two
organisations with, so that every tenant-owned table has rows to hide.

A new tenant-owned model needs its object created here and one entry in the returned
dict; until it has one, the row-level security test fails and names its table.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from directory.models import (
    Department,
    DirectoryImport,
    Employee,
    EmployeeDemographics,
    ImportRow,
    JobLevelChange,
)
from identity.models import EmailDomain, SsoConnection
from identity.services import token_hash as domain_token_hash
from matching import services as matching
from matching.models import MatchRun, Pair, RematchRequest, Unplaced
from notifications.models import Notification, NotificationSettings, OutboxMessage
from organizations.api_keys import api_key_create
from organizations.audit import audit_record
from organizations.models import AuditAction, Invitation, PublishedFigure
from organizations.roles import Role
from organizations.services import invitation_token_hash
from organizations.tenancy import tenant_context
from privacy.models import AnonymisedProgram, DataExport
from programs.models import (
    Cohort,
    Participant,
    ParticipantTopic,
    Program,
    ProgramManager,
    ProgramQuestion,
    ProgramTopic,
    Resource,
    Topic,
    TrainingCompletion,
    TrainingModule,
)
from reports.models import FrozenRetention, Snapshot
from scim.models import ScimGroup, ScimUser
from scim.schema import USER_SCHEMA
from scim.tokens import scim_token_create
from sessions.feeds import calendar_feed_token_hash
from sessions.models import (
    CalendarFeed,
    CircleAttendance,
    CircleRsvp,
    Commitment,
    Conversation,
    Goal,
    MentoringSession,
    Message,
    Note,
    Reflection,
    SessionChange,
    SupportCircle,
)
from surveys.models import (
    Answer,
    Assignment,
    Concern,
    HeldResponse,
    Response,
    Schedule,
    Story,
    Survey,
)
from surveys.models import Question as SurveyQuestion
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.tenancy_app.models import Document, Folder


def invitation_token(slug: str) -> str:
    """The raw token of the world's invitation (tokens are unique across organisations)."""
    return f"a-known-token-for-{slug}"


def build_identity_objects(organization) -> dict:
    """Single sign-on's email domain of ``organization`` (call inside it) and the raw
    token of its emailed verification link, by URL keyword."""
    slug = organization.slug
    email_domain = EmailDomain.objects.create(
        organization=organization,
        domain=f"{slug}.example",
        verification_token="txt-token",
        email_sent_to=f"postmaster@{slug}.example",
        email_token_hash=domain_token_hash(domain_token(slug)),
    )
    return {"email_domain_id": email_domain, "domain_token": domain_token(slug)}


def domain_token(slug: str) -> str:
    """The raw token of the world's emailed domain-verification link."""
    return f"a-known-domain-token-for-{slug}"


def feed_token(slug: str) -> str:
    """The raw token of the world's calendar feed."""
    return f"a-known-feed-token-for-{slug}"


EVERY_ROLE = {
    "is_admin": True,
    "is_program_manager": True,
    "is_executive": True,
    "is_participant": True,
}


def build_outsider(*, slug: str = "tenant-b", name: str = "Tenant B"):
    """The other organisation's member, holding every role there (a Globex outsider)."""
    return MembershipFactory(
        organization=OrganizationFactory(slug=slug, name=name), **EVERY_ROLE
    ).user


def world_pair(organization, world) -> Pair:
    """The conftest ``world``'s cohort matched by the engine and published: Ann mentors Dan."""
    with tenant_context(organization=organization):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.select_related("mentor", "mentee").get(run=run, mentee=world["Dan"])
    assert pair.mentor == world["Ann"]
    return pair


def _scim_token(organization):
    token, _raw = scim_token_create(organization=organization, actor=None, name="Okta")
    return token


def build_program_objects(*, organization, program, recipient, token: str) -> dict[str, object]:
    """One of each object that hangs off an organisation or a program and that routes
    point at: a circle, a notification for ``recipient``, a training module, a resource, a
    program question, an invitation (its raw token ``token``), a checked directory import,
    an API key, and a SCIM user, group and token. Keyed by URL keyword, as
    ``build_world``."""
    now = timezone.now()
    with tenant_context(organization=organization):
        return {
            "circle_id": SupportCircle.objects.create(
                organization=organization,
                program=program,
                title="Mentors' circle",
                starts_at=now + timedelta(days=5),
            ),
            "notification_id": Notification.objects.create(
                organization=organization,
                recipient=recipient,
                kind="milestone",
                key="milestone:cohort:1:kickoff",
                title="Kick-off",
                body="The pilot starts today.",
                send_after=now,
            ),
            "module_id": TrainingModule.objects.create(
                organization=organization, program=program, title="Intro"
            ),
            "resource_id": Resource.objects.create(
                organization=organization, program=program, kind="guide", title="Feedback"
            ),
            "question_id": ProgramQuestion.objects.create(
                organization=organization, program=program, text="Why?"
            ),
            "invitation_id": Invitation.objects.create(
                organization=organization,
                email="invitee@example.com",
                is_participant=True,
                token_hash=invitation_token_hash(token),
                expires_at=now + timedelta(days=7),
            ),
            "import_id": DirectoryImport.objects.create(  # named unlike its model
                organization=organization,
                original_name="roster.csv",
                status=DirectoryImport.Status.CHECKED,
                file=ContentFile(b"employee_number,name\nZ1,Zed\n", name="roster.csv"),
            ),
            "api_key_id": api_key_create(
                organization=organization, actor=None, name="Listed", roles={Role.ADMIN}
            )[0],
            # What an identity provider provisioned (SCIM): a person and a department.
            "scim_user_id": ScimUser.objects.create(
                organization=organization,
                employee=Employee.objects.create(
                    organization=organization, employee_number="SCIM-1", name="Sky"
                ),
                user_name="sky@example.com",
            ),
            "scim_group_id": ScimGroup.objects.create(
                organization=organization,
                department=Department.objects.create(organization=organization, name="Provisioned"),
            ),
            "scim_token_id": _scim_token(organization),
            # SCIM's discovery documents: the same for every organisation.
            "scim_schema_id": USER_SCHEMA,
            "scim_resource_type_id": "User",
        }


def build_survey_objects(*, organization, program, cohort, participant) -> dict[str, object]:
    """One of each survey object routes point at (a survey, its question, a schedule for
    ``cohort``, ``participant``'s assignment, a released response's answer as a story, a
    concern), keyed by URL keyword; the response and answer by model."""
    now = timezone.now()
    with tenant_context(organization=organization):
        survey = Survey.objects.create(organization=organization, program=program, title="Pulse")
        question = SurveyQuestion.objects.create(
            organization=organization, survey=survey, type="agreement", text="Worth it?"
        )
        schedule = Schedule.objects.create(
            organization=organization, survey=survey, cohort=cohort, anchor="cohort_start"
        )
        response = Response.objects.create(
            organization=organization,
            schedule=schedule,
            cohort=cohort,
            role="mentor",
            week="2027-W01",
        )
        answer = Answer.objects.create(
            organization=organization, response=response, question=question, value=4
        )
        return {
            "survey_id": survey,
            "survey_question_id": question,  # surveys.Question
            "schedule_id": schedule,
            "assignment_id": Assignment.objects.create(
                organization=organization,
                schedule=schedule,
                participant=participant,
                occasion="cohort_start",
                opens_at=now,
                closes_at=now + timedelta(days=14),
            ),
            "story_id": Story.objects.create(
                organization=organization, program=program, answer=answer
            ),
            "concern_id": Concern.objects.create(
                organization=organization, program=program, text="Worried", week="2027-W01"
            ),
            "response": response,
            "answer": answer,
        }


def build_world(*, slug: str = "tenant-a", name: str = "Tenant A") -> dict[str, object]:
    """An organisation with one object of every tenant-owned kind, keyed by the URL keyword
    that names it (the cross-tenant test finds a model's own name by itself: see its
    ``tests.routes.value_for``); objects no route points at are keyed by their model's name."""
    organization = OrganizationFactory(slug=slug, name=name)
    admin = MembershipFactory(organization=organization, is_admin=True)
    member = MembershipFactory(organization=organization)
    now = timezone.now()
    with tenant_context(organization=organization):
        department = Department.objects.create(organization=organization, name="Sales")
        employee = Employee.objects.create(
            organization=organization,
            employee_number="A1",
            name="Avery",
            email="avery@example.com",
            department=department,
        )
        demographics = EmployeeDemographics.objects.create(
            organization=organization, employee=employee, consent_given_at=now
        )
        level_change = JobLevelChange.objects.create(
            organization=organization,
            employee=employee,
            from_level=2,
            to_level=3,
            changed_on=date(2026, 1, 1),
        )
        audit_entry = audit_record(
            organization=organization, actor=admin.user, action=AuditAction.SETTINGS_CHANGED
        )
        topic = Topic.objects.create(organization=organization, name="Generative AI tools")
        program = Program.objects.create(
            organization=organization,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
        program_topic = ProgramTopic.objects.create(
            organization=organization, program=program, topic=topic
        )
        program_manager = ProgramManager.objects.create(
            organization=organization, program=program, membership=admin
        )
        # Objects that hang off others hang off these ones, so nested routes make sense.
        cohort = Cohort.objects.create(
            organization=organization,
            program=program,
            name="Pilot cohort",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 3, 31),
        )
        participant = Participant.objects.create(
            organization=organization,
            program=program,
            cohort=cohort,
            employee=employee,
            role="mentor",
        )
        participant_topic = ParticipantTopic.objects.create(
            organization=organization, participant=participant, topic=topic, kind="teach", level=4
        )
        program_objects = build_program_objects(
            organization=organization,
            program=program,
            recipient=member,
            token=invitation_token(slug),
        )
        module = program_objects["module_id"]  # TrainingModule
        completion = TrainingCompletion.objects.create(
            organization=organization, participant=participant, module=module
        )
        mentee = Participant.objects.create(
            organization=organization,
            program=program,
            cohort=cohort,
            role="mentee",
            employee=Employee.objects.create(
                organization=organization, employee_number="A3", name="Casey", email="c@example.com"
            ),
        )
        run = MatchRun.objects.create(organization=organization, cohort=cohort)
        pair = Pair.objects.create(
            organization=organization,
            run=run,
            program=program,
            cohort=cohort,
            mentor=participant,
            mentee=mentee,
            score=50,
            explanation="Why",
        )
        unplaced = Unplaced.objects.create(
            organization=organization,
            run=run,
            participant=Participant.objects.create(
                organization=organization,
                program=program,
                cohort=cohort,
                role="mentor",
                employee=Employee.objects.create(
                    organization=organization, employee_number="A4", name="Dana"
                ),
            ),
            reason="No mentee left",
        )
        rematch_request = RematchRequest.objects.create(
            organization=organization,
            program=program,
            cohort=cohort,
            participant=unplaced.participant,
        )
        session = MentoringSession.objects.create(
            organization=organization, pair=pair, starts_at=now + timedelta(days=3)
        )
        session_change = SessionChange.objects.create(
            organization=organization,
            session=session,
            kind=SessionChange.Kind.RESCHEDULED,
            requested_by_role="mentor",
            requested_by=participant,
            hours_notice=48,
            previous_starts_at=now + timedelta(days=2),
            new_starts_at=now + timedelta(days=3),
        )
        reflection = Reflection.objects.create(
            organization=organization, session=session, participant=participant, rating=5
        )
        # Shared, so that the organisation's transaction shows it without its author.
        note = Note.objects.create(
            organization=organization,
            session=session,
            author=participant,
            author_user=member.user,
            visibility=Note.Visibility.SHARED,
            text="We tried it together.",
        )
        # The mentee can sign in: the message below shows only on their behalf (its
        # INSERT ... RETURNING included), as the row-level policy wants.
        mentee.employee.member = MembershipFactory(organization=organization)
        mentee.employee.save(update_fields=["member"])
        conversation = Conversation.objects.create(
            organization=organization, pair=pair, last_message_at=now
        )
        with tenant_context(organization=organization, user=mentee.employee.member.user):
            message = Message.objects.create(
                organization=organization, conversation=conversation, sender=mentee, text="Hello"
            )
        goal = Goal.objects.create(organization=organization, pair=pair, title="Try Copilot")
        commitment = Commitment.objects.create(
            organization=organization, pair=pair, participant=mentee, text="Use AI", theme="tool"
        )
        circle = program_objects["circle_id"]  # SupportCircle
        attendance = CircleAttendance.objects.create(
            organization=organization, circle=circle, participant=participant
        )
        circle_rsvp = CircleRsvp.objects.create(
            organization=organization, circle=circle, participant=participant, going=True
        )
        # A checked import's staged row (directory.staging, PostgreSQL's path).
        import_row = ImportRow.objects.create(
            organization=organization,
            directory_import=program_objects["import_id"],
            line=2,
            employee_number="Z1",
            name="Zed",
        )
        calendar_feed = CalendarFeed.objects.create(
            organization=organization,
            membership=member,
            token_hash=calendar_feed_token_hash(feed_token(slug)),
        )
        notification_settings = NotificationSettings.objects.create(
            organization=organization, membership=member
        )
        # Written straight, not through outbox_add: no delivery is asked for.
        outbox_message = OutboxMessage.objects.create(
            organization=organization,
            kind="sessions.invite",
            key=f"session-invite:{session.pk}:0",
            args={"session_id": session.pk, "kind": "scheduled", "sequence": 0},
            next_attempt_at=timezone.now(),
        )
        survey_objects = build_survey_objects(
            organization=organization, program=program, cohort=cohort, participant=participant
        )
        # The released response and its answer give their tables rows through the story.
        survey_objects.pop("response"), survey_objects.pop("answer")
        survey = survey_objects["survey_id"]
        held_response = HeldResponse.objects.create(
            organization=organization,
            schedule=survey_objects["schedule_id"],
            role="mentor",
            sealed=b"sealed",
            sealed_with="0123456789abcdef",
        )
        snapshot = Snapshot.objects.create(
            organization=organization,
            scope="organization",
            day=date(2027, 1, 31),
            computed_at=now,
        )
        frozen_retention = FrozenRetention.objects.create(
            organization=organization,
            cohort=cohort,
            figures={"retention_people": 0},
            counted_on=date(2027, 1, 31),
            computed_at=now,
        )
        published = PublishedFigure.objects.create(
            organization=organization,
            scope=f"survey:{survey.pk}",
            key="responses|[]",
            size=5,
            figures={"answered": 5},
            published_on=date(2027, 1, 31),
        )
        sso_connection = SsoConnection.objects.create(organization=organization)
        email_domain = build_identity_objects(organization)["email_domain_id"]
        folder = Folder.objects.create(organization=organization, name=slug)
        document = Document.objects.create(organization=organization, folder=folder, title="x")
        # The member's personal data export, ready for a day; a program retention has
        # anonymised (privacy).
        data_export = DataExport.objects.create(
            organization=organization,
            membership=member,
            user=member.user,
            status=DataExport.Status.READY,
            file=ContentFile(b"PK", name="export.zip"),
            ready_at=now,
            expires_at=now + timedelta(days=1),
        )
        anonymised_program = AnonymisedProgram.objects.create(
            organization=organization, program=program
        )
    return {
        "organization": organization,
        "token": invitation_token(slug),
        "feed_token": feed_token(slug),
        "domain_token": domain_token(slug),
        "email_domain_id": email_domain,
        "membership_id": member,
        "employee_id": employee,
        "topic_id": topic,
        "program_id": program,
        "cohort_id": cohort,
        "participant_id": participant,
        "run_id": run,  # MatchRun
        **program_objects,
        **survey_objects,
        "pair_id": pair,
        "session_id": session,  # MentoringSession
        "goal_id": goal,
        "commitment_id": commitment,
        "dataexport_id": data_export,
        # No route points at these (yet); they give their tables rows.
        "department": department,
        "employee_demographics": demographics,
        "job_level_change": level_change,
        "audit_entry": audit_entry,
        "program_topic": program_topic,
        "program_manager": program_manager,
        "participant_topic": participant_topic,
        "training_completion": completion,
        "unplaced": unplaced,
        "rematch_request": rematch_request,
        "session_change": session_change,
        "reflection": reflection,
        "note": note,
        "conversation": conversation,
        "message": message,
        "circle_attendance": attendance,
        "circle_rsvp": circle_rsvp,
        "notification_settings": notification_settings,
        "calendar_feed": calendar_feed,
        "import_row": import_row,
        "outbox_message": outbox_message,
        "held_response": held_response,
        "snapshot": snapshot,
        "frozen_retention": frozen_retention,
        "published_figure": published,
        "folder": folder,
        "document": document,
        "sso_connection": sso_connection,
        "anonymised_program": anonymised_program,
    }
