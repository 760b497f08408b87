"""Every route that takes an organisation, an object id or a slug, tried by a member of
another organisation with every role there: each answers 404 to every method (exactly as
for an object that does not exist) and changes nothing.

The routes are enumerated from the URL configuration and their keyword arguments are
filled by name from a "world": organisation A with one object of every kind, built by
``_build_world``. ``<thing>_id`` finds the world's entry of that name, else A's object whose
model is named ``thing`` (with or without underscores); an API route's ``pk`` finds A's
object of the model its view serves. So a new route is covered without anyone editing
this file; only a new kind of object needs a line in ``_build_world``, and until it has
one ``test_every_route_with_an_id_can_be_built`` fails and says so.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from matching.models import MatchRun, Pair
from organizations.api_keys import api_key_create
from organizations.models import DirectoryImport, Employee, Invitation, Organization
from organizations.roles import Role
from organizations.services import invitation_token_hash
from organizations.tenancy import tenant_context, tenant_models
from programs.models import (
    Cohort,
    Participant,
    Program,
    ProgramQuestion,
    Resource,
    Topic,
    TrainingModule,
)
from sessions.models import (
    Commitment,
    Goal,
    MentoringSession,
    Notification,
    SupportCircle,
)
from surveys.models import Answer, Assignment, Concern, Response, Schedule, Story, Survey
from surveys.models import Question as SurveyQuestion
from tests.organizations.factories import MembershipFactory, OrganizationFactory

OUR_APPS = {
    "config",
    "accounts",
    "organizations",
    "programs",
    "matching",
    "sessions",
    "surveys",
    "reports",
}
METHODS = ["get", "post", "put", "patch", "delete"]
INVITATION_TOKEN = "a-known-token-for-the-cross-tenant-test"  # noqa: S105
# Set by the tests themselves: A's slug, and B's slug where the route takes an object.
SLUG_KWARGS = {"org_slug", "organization_slug"}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = ":".join(filter(None, [namespace, pattern.name]))
            yield name, prefix + str(pattern.pattern), pattern.callback


def _routes_with_ids() -> dict[str, tuple[set[str], object]]:
    """Route name -> (its URL keyword arguments, its view), for our own routes that take any."""
    routes = {}
    for name, route, callback in _walk(get_resolver().url_patterns):
        if callback.__module__.split(".")[0] not in OUR_APPS:
            continue
        kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if kwargs:
            routes[name] = (kwargs, callback)
    return routes


ROUTES = _routes_with_ids()
API_ROUTES = {name for name, (_, view) in ROUTES.items() if hasattr(view, "cls")}


def _build_world() -> dict[str, object]:
    """Organisation A with one object of every kind a route can point at, keyed by the URL
    keyword that names it (a model's own name needs no particular key: see ``_value``).
    A new model needs its object created here and one line in the returned dict."""
    organization = OrganizationFactory(slug="tenant-a", name="Tenant A")
    MembershipFactory(organization=organization, is_admin=True)
    member = MembershipFactory(organization=organization)
    with tenant_context(organization=organization):
        invitation = Invitation.objects.create(
            organization=organization,
            email="invitee@example.com",
            is_participant=True,
            token_hash=invitation_token_hash(INVITATION_TOKEN),
            expires_at=timezone.now() + timedelta(days=7),
        )
        employee = Employee.objects.create(
            organization=organization, employee_number="A1", name="Avery", email="avery@example.com"
        )
        directory_import = DirectoryImport.objects.create(
            organization=organization,
            original_name="roster.csv",
            status=DirectoryImport.Status.CHECKED,
            file=ContentFile(b"employee_number,name\nA2,Blake\n", name="roster.csv"),
        )
        api_key, _ = api_key_create(
            organization=organization, actor=None, name="A's key", roles={Role.ADMIN}
        )
        topic = Topic.objects.create(organization=organization, name="Generative AI tools")
        program = Program.objects.create(
            organization=organization,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
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
        module = TrainingModule.objects.create(
            organization=organization, program=program, title="Intro"
        )
        resource = Resource.objects.create(
            organization=organization, program=program, kind="guide", title="Feedback"
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
        session = MentoringSession.objects.create(
            organization=organization, pair=pair, starts_at=timezone.now() + timedelta(days=3)
        )
        goal = Goal.objects.create(organization=organization, pair=pair, title="Try Copilot")
        commitment = Commitment.objects.create(
            organization=organization, pair=pair, participant=mentee, text="Use AI", theme="tool"
        )
        circle = SupportCircle.objects.create(
            organization=organization,
            program=program,
            title="Mentors' circle",
            starts_at=timezone.now() + timedelta(days=5),
        )
        notification = Notification.objects.create(
            organization=organization,
            recipient=member,
            kind="milestone",
            key="milestone:cohort:1:kickoff",
            title="Kick-off",
            body="The pilot starts today.",
            send_after=timezone.now(),
        )
        survey = Survey.objects.create(organization=organization, program=program, title="Pulse")
        survey_question = SurveyQuestion.objects.create(
            organization=organization, survey=survey, type="agreement", text="Worth it?"
        )
        schedule = Schedule.objects.create(
            organization=organization, survey=survey, cohort=cohort, anchor="cohort_start"
        )
        assignment = Assignment.objects.create(
            organization=organization,
            schedule=schedule,
            participant=participant,
            occasion="cohort_start",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=14),
        )
        response = Response.objects.create(
            organization=organization,
            schedule=schedule,
            cohort=cohort,
            role="mentor",
            week="2027-W01",
        )
        story = Story.objects.create(
            organization=organization,
            program=program,
            answer=Answer.objects.create(
                organization=organization, response=response, question=survey_question, value="Yes"
            ),
        )
        concern = Concern.objects.create(
            organization=organization, program=program, text="Worried", week="2027-W01"
        )
        question = ProgramQuestion.objects.create(
            organization=organization, program=program, text="Why?"
        )
    return {
        "organization": organization,
        "token": INVITATION_TOKEN,
        "membership_id": member,
        "invitation_id": invitation,
        "employee_id": employee,
        "import_id": directory_import,  # named unlike its model, DirectoryImport
        "api_key_id": api_key,
        "topic_id": topic,
        "program_id": program,
        "cohort_id": cohort,
        "participant_id": participant,
        "module_id": module,  # TrainingModule
        "resource_id": resource,
        "question_id": question,  # ProgramQuestion
        "run_id": run,  # MatchRun
        "pair_id": pair,
        "session_id": session,  # MentoringSession
        "goal_id": goal,
        "commitment_id": commitment,
        "circle_id": circle,  # SupportCircle
        "notification_id": notification,
        "survey_id": survey,
        "survey_question_id": survey_question,  # surveys.Question
        "schedule_id": schedule,
        "assignment_id": assignment,
        "story_id": story,
        "concern_id": concern,
    }


def _objects_by_model(world: dict[str, object]) -> dict[type[Model], Model]:
    """A's object of each model in the world."""
    objects = {}
    for value in world.values():
        if isinstance(value, Model):
            objects.setdefault(type(value), value)
    return objects


def _api_model(view) -> type[Model] | None:
    """The model a DRF view serves: its serializer's, else its queryset's."""
    cls = getattr(view, "cls", None)
    meta = getattr(getattr(cls, "serializer_class", None), "Meta", None)
    if getattr(meta, "model", None) is not None:
        return meta.model
    queryset = getattr(cls, "queryset", None)
    return getattr(queryset, "model", None)


def _value(world: dict[str, object], name: str, view):
    """A's value for the URL keyword ``name`` of ``view``, or None if the world has none."""
    objects = _objects_by_model(world)
    if name in world and name != "organization":
        value = world[name]
    elif name == "pk":
        value = objects.get(_api_model(view))
    elif name.endswith("_id"):
        stem = name.removesuffix("_id")
        value = next(
            (
                obj
                for model, obj in objects.items()
                if model._meta.model_name in {stem, stem.replace("_", "")}
            ),
            None,
        )
    else:
        value = None
    return value.pk if isinstance(value, Model) else value


def _unresolved(world: dict[str, object], route: str) -> set[str]:
    names, view = ROUTES[route]
    return {name for name in names - SLUG_KWARGS if _value(world, name, view) is None}


def _kwargs(world: dict[str, object], route: str) -> dict[str, object]:
    """The route's keyword arguments pointing at A's objects, less the organisation slug."""
    assert not _unresolved(world, route), route
    names, view = ROUTES[route]
    return {name: _value(world, name, view) for name in names - SLUG_KWARGS}


def _snapshot(organization: Organization):
    """Everything organisation A holds, to prove a request changed nothing."""
    rows = {"organization": list(Organization.objects.filter(pk=organization.pk).values())}
    with tenant_context(organization=organization):
        for model in tenant_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    rows["users"] = list(User.objects.order_by("pk").values("pk", "email", "password", "is_active"))
    return rows


@pytest.fixture
def outsider(db):
    """A member of organisation B holding every role there."""
    return MembershipFactory(
        organization=OrganizationFactory(slug="tenant-b", name="Tenant B"),
        is_admin=True,
        is_program_manager=True,
        is_executive=True,
        is_participant=True,
    ).user


@pytest.fixture
def outsider_key(outsider):
    """An API key of organisation B holding every role there."""
    organization = Organization.objects.get(slug="tenant-b")
    with tenant_context(organization=organization):
        _, raw = api_key_create(
            organization=organization, actor=outsider, name="B", roles=set(Role)
        )
    return raw


@pytest.mark.django_db
def test_every_route_with_an_id_can_be_built():
    world = _build_world()
    missing = {
        route: sorted(names) for route in sorted(ROUTES) if (names := _unresolved(world, route))
    }
    assert missing == {}, (
        "tests/test_cross_tenant.py has nothing to point these URL keywords at: add an object"
        " of that kind to _build_world (keyed by the keyword if it is not named after its"
        f" model): {missing}"
    )
    print(f"cross-tenant test covers {len(ROUTES)} routes: {', '.join(sorted(ROUTES))}")


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(set(ROUTES) - API_ROUTES))
def test_another_organisations_member_gets_404_and_changes_nothing(client, outsider, route):
    world = _build_world()
    organization = world["organization"]
    client.force_login(outsider)
    kwargs = _kwargs(world, route)
    names, _ = ROUTES[route]
    urls = []
    if "org_slug" in names:
        # A's object under A's address, and A's object under B's own address.
        urls.append(reverse(route, kwargs={**kwargs, "org_slug": organization.slug}))
        if kwargs:
            urls.append(reverse(route, kwargs={**kwargs, "org_slug": "tenant-b"}))
    elif "organization_slug" in names:
        urls.append(reverse(route, kwargs={**kwargs, "organization_slug": "tenant-b"}))
    before = _snapshot(organization)

    answers = {
        (url, method): getattr(client, method)(url).status_code
        for url in urls
        for method in METHODS
    }

    assert set(answers.values()) == {404}, answers
    assert _snapshot(organization) == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(API_ROUTES))
def test_another_organisations_api_key_gets_404_and_changes_nothing(client, outsider_key, route):
    """An API route answers another organisation's object exactly as a missing one: 404,
    or 405 for a method the route does not take at all (the same for any id)."""
    world = _build_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_key}"}
    kwargs = _kwargs(world, route)
    foreign = reverse(route, kwargs=kwargs)
    missing = reverse(route, kwargs=dict.fromkeys(kwargs, 999_999_999))
    before = _snapshot(world["organization"])

    for method in METHODS:
        answer = getattr(client, method)(foreign, **headers)
        expected = getattr(client, method)(missing, **headers).status_code
        assert answer.status_code in (404, 405), (method, answer.status_code)
        assert answer.status_code == expected, method
    assert client.get(foreign, **headers).json()["error"]["code"] == "not_found"
    assert _snapshot(world["organization"]) == before
