"""A program manager reaches only the programs they manage (their ProgramManager rows);
an admin reaches every program of the organisation.

The routes are enumerated from the URL configuration, as tests/test_cross_tenant.py does
(the same world, route discovery and keyword filling: tests/tenant_world.py and
tests/routes.py): every route with a keyword that names an object of a program,
whichever app adds it. Each such route either wears
``programs.decorators.program_permission_required`` (an API view:
``ProgramPermissionMixin``), or is a participant's own page listed below with the reason;
``test_every_route_that_names_a_programs_object_is_checked_against_the_program`` fails
naming any other. Then, route by route, a manager of another program of the same
organisation gets 404 to every method and changes nothing, while an admin and the
program's own manager open it.

The world's program ("Pilot", tests/tenant_world.py) is the one asked for; the manager
who must not reach it manages "Other", a second program of the same organisation.
"""

from datetime import date, datetime

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import path, reverse

from home.overview import programs_section
from notifications.kinds import DIGEST
from notifications.models import Notification
from organizations.api_keys import api_key_create
from organizations.models import Membership
from organizations.permissions import has_permission_everywhere
from organizations.roles import Role
from organizations.tenancy import tenant_context
from programs.decorators import program_permission_required
from programs.models import Program, ProgramManager
from programs.selectors import program_manager_links, programs_managed_by
from reports import services
from surveys.models import Survey
from tests.organizations.factories import MembershipFactory
from tests.routes import (
    API_ROUTES,
    METHODS,
    ROUTES,
    SLUG_KWARGS,
    api_model,
    discover_routes,
    objects_by_model,
    route_kwargs,
    snapshot,
)
from tests.tenant_world import build_world

pytestmark = pytest.mark.django_db

# A participant's own pages: they serve the signed-in person's own places, pairs and
# answers (programs.selectors.participations_of, sessions.selectors.my_pair), whatever
# their organisation roles; they are not program managers' views.
PARTICIPANT_ROUTES = {
    "home:participation": "the person's own place",
    "programs:apply": "the person's own place",
    "programs:withdraw": "the person's own place",
    "programs:training_toggle": "the person's own training",
    "programs:nominate": "the self-nomination link, for anyone in the organisation",
    "matching:choose": "a mentee choosing their own mentor",
    "matching:end_own": "either person ending their own pair",
    "matching:rematch": "a person asking to be matched again",
    "mentoring:pair": "the pair's workspace, for its two people",
    "mentoring:session_new": "the pair's workspace, for its two people",
    "mentoring:pair_end": "the pair's workspace, for its two people",
    "mentoring:session_log_unscheduled": "the pair's workspace, for its two people",
    "mentoring:session": "the pair's workspace, for its two people",
    "mentoring:session_reschedule": "the pair's workspace, for its two people",
    "mentoring:session_cancel": "the pair's workspace, for its two people",
    "mentoring:session_log": "the pair's workspace, for its two people",
    "mentoring:session_ics": "the pair's workspace, for its two people",
    "mentoring:circle_ics": "a mentor's own program's support circle",
    "mentoring:circle_rsvp": "a mentor answering their own program's support circle",
    "mentoring:reflection_edit": "the person's own reflection",
    "mentoring:message_send": "the pair's conversation, for its two people",
    "mentoring:goal_add": "the pair's workspace, for its two people",
    "mentoring:goal_status": "the pair's workspace, for its two people",
    "mentoring:goal_edit": "the pair's workspace, for its two people",
    "mentoring:commitment_add": "the pair's workspace, for its two people",
    "mentoring:commitment_status": "the pair's workspace, for its two people",
    "surveys_respond:answer": "the person's own survey",
    "surveys_respond:concern": "a mentor's concern about their own pair",
}
# Open to every member (a program manager of another program too, as a participant to
# be): the self-nomination link shows the cohort and says whether it takes nominations.
OPEN_TO_EVERY_MEMBER = {"programs:nominate"}
# Read by the program's staff and its participants alike: programs.selectors.
# program_material lets staff through by programs_managed_by, participants by their place.
SHARED_ROUTES = {
    "programs:training_file": "the program's staff and its participants",
    "programs:resource_file": "the program's staff and its participants",
}


def _program_permission(view) -> str | None:
    """The permission a route checks against its program: the decorator's mark on a
    view function, the mixin's on an API view's class."""
    return getattr(getattr(view, "cls", view), "program_permission", None)


def _has_ids(route: str) -> bool:
    names, _view = ROUTES[route]
    return bool(names - SLUG_KWARGS)


SCOPED = sorted(r for r, (_, view) in ROUTES.items() if _program_permission(view) and _has_ids(r))
PAGES = sorted(set(SCOPED) - API_ROUTES)
API = sorted(set(SCOPED) & API_ROUTES)


def _leads_to_program(obj: Model, depth: int = 4) -> bool:
    """``obj`` is a program, or belongs to one through its foreign keys (a survey's
    question through its survey, a session through its pair)."""
    if isinstance(obj, Program):
        return True
    if depth == 0:
        return False
    for field in obj._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            target = getattr(obj, field.name, None)
            if isinstance(target, Model) and _leads_to_program(target, depth - 1):
                return True
    return False


def _uncovered(routes: dict, world: dict) -> dict[str, list[str]]:
    """What the coverage test complains about, by kind."""
    program_routes = set()
    for route, (names, view) in routes.items():
        objects = [_object(world, name, view) for name in names - SLUG_KWARGS]
        if any(obj is not None and _leads_to_program(obj) for obj in objects):
            program_routes.add(route)
    listed = set(PARTICIPANT_ROUTES) | set(SHARED_ROUTES)
    decorated = {r for r, (_, view) in routes.items() if _program_permission(view)}
    return {
        "neither checked against the program nor listed": sorted(
            program_routes - decorated - listed
        ),
        "listed, yet checked against the program": sorted(listed & decorated),
        "listed, but not a route naming a program's object": sorted(
            (listed & set(routes)) - program_routes
        ),
    }


def _object(world: dict, name: str, view) -> Model | None:
    """The world's object behind the URL keyword ``name``, found as ``tests.routes.value_for``
    finds its id."""
    if isinstance(world.get(name), Model) and name != "organization":
        return world[name]
    objects = objects_by_model(world)
    if name == "pk":
        return objects.get(api_model(view))
    if name.endswith("_id"):
        stem = name.removesuffix("_id")
        names = {stem, stem.replace("_", "")}
        return next((o for m, o in objects.items() if m._meta.model_name in names), None)
    return None


# --- Personas ---------------------------------------------------------------------------


@pytest.fixture
def world():
    built = build_world()
    organization = built["organization"]
    with tenant_context(organization=organization):
        other = Program.objects.create(
            organization=organization,
            name="Other",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
        # Files, so that a download that is allowed answers with the file.
        module, resource = built["module_id"], built["resource_id"]
        module.file.save("intro.txt", ContentFile(b"Welcome"))
        resource.file.save("feedback.txt", ContentFile(b"Say what you saw"))
        # template_use takes a template of the library (no program), not the program's survey.
        built["library_template"] = Survey.objects.create(
            organization=organization, program=None, title="Pulse template"
        )
    built["other_program"] = other
    return built


def _manager_of(world: dict, program: Program) -> Membership:
    organization = world["organization"]
    membership = MembershipFactory(
        organization=organization, is_program_manager=True, is_participant=False
    )
    with tenant_context(organization=organization):
        ProgramManager.objects.create(
            organization=organization, program=program, membership=membership
        )
    return membership


@pytest.fixture
def other_manager(world):
    """A program manager of "Other" only."""
    return _manager_of(world, world["other_program"])


@pytest.fixture
def own_manager(world):
    """A program manager of the world's program ("Pilot")."""
    return _manager_of(world, world["program_id"])


@pytest.fixture
def admin(world):
    """An admin who manages no program by name."""
    return MembershipFactory(
        organization=world["organization"], is_admin=True, is_participant=False
    )


def _url(world: dict, route: str) -> str:
    kwargs = route_kwargs(world, route)
    if route == "surveys_builder:template_use":
        kwargs["survey_id"] = world["library_template"].pk
    names, _view = ROUTES[route]
    if "org_slug" in names:
        kwargs["org_slug"] = world["organization"].slug
    return reverse(route, kwargs=kwargs)


# --- Every route ------------------------------------------------------------------------


def test_every_route_that_names_a_programs_object_is_checked_against_the_program(world):
    problems = _uncovered(ROUTES, world)

    assert problems == {key: [] for key in problems}, (
        "Each route naming a program's object wears programs.decorators."
        "program_permission_required (an API view: ProgramPermissionMixin), or is a"
        " participant's own page listed in PARTICIPANT_ROUTES or SHARED_ROUTES with why:"
        f" {problems}"
    )
    print(f"program scoping covers {len(SCOPED)} routes: {', '.join(SCOPED)}")


def _view_named(module: str, decorate: bool):
    def view(request, **kwargs):
        raise AssertionError("never called")

    view.__module__ = module
    return program_permission_required("program.view")(view) if decorate else view


def test_a_new_program_route_without_the_decorator_is_named(world):
    patterns = [
        path("o/<slug:org_slug>/x/<int:program_id>/", _view_named("x.views", False), name="bare"),
        path("o/<slug:org_slug>/y/<int:pair_id>/", _view_named("x.views", False), name="pair"),
        path("o/<slug:org_slug>/z/<int:cohort_id>/", _view_named("x.views", True), name="ok"),
        path("o/<slug:org_slug>/m/<int:membership_id>/", _view_named("x.views", False), name="m"),
    ]
    routes, _unbuildable = discover_routes(patterns)

    problems = _uncovered(routes, world)

    assert problems["neither checked against the program nor listed"] == ["bare", "pair"]


@pytest.mark.parametrize(
    "route",
    sorted((set(PAGES) | set(PARTICIPANT_ROUTES) | set(SHARED_ROUTES)) - OPEN_TO_EVERY_MEMBER),
)
def test_a_manager_of_another_program_gets_404_and_changes_nothing(
    client, world, other_manager, route
):
    client.force_login(other_manager.user)
    url = _url(world, route)
    before = snapshot(world["organization"])

    answers = {method: getattr(client, method)(url).status_code for method in METHODS}

    assert set(answers.values()) == {404}, answers
    assert snapshot(world["organization"]) == before


def _opens(client, url: str) -> int:
    """GET's status; a POST-only action answers 405 once it has found its object."""
    response = client.get(url)
    assert response.status_code in (200, 302, 405), (url, response.status_code)
    if response.status_code == 302:
        assert not response.url.startswith("/accounts/"), response.url
    return response.status_code


@pytest.mark.parametrize("route", sorted(set(PAGES) | set(SHARED_ROUTES)))
def test_an_admin_and_the_programs_own_manager_open_it(client, world, admin, own_manager, route):
    url = _url(world, route)
    for member in (admin, own_manager):
        client.force_login(member.user)
        _opens(client, url)


@pytest.mark.parametrize("route", API)
def test_the_api_answers_a_manager_of_another_program_404_and_its_own_manager_the_data(
    client, world, other_manager, own_manager, admin, route
):
    organization = world["organization"]
    url = _url(world, route)
    header = {"HTTP_X_ORGANIZATION": organization.slug}
    client.force_login(other_manager.user)
    before = snapshot(organization)

    refused = {method: getattr(client, method)(url, **header) for method in METHODS}
    assert {m: r.status_code for m, r in refused.items()} == dict.fromkeys(METHODS, 404)
    assert refused["get"].json()["error"]["code"] == "not_found"
    assert snapshot(organization) == before
    for member in (own_manager, admin):
        client.force_login(member.user)
        assert client.get(url, **header).status_code == 200


def test_an_api_key_with_the_manager_role_reaches_every_program(client, world):
    """A key has no person behind it and so no ProgramManager rows; only an admin makes
    one. Its roles hold organisation-wide, as an admin's do."""
    organization = world["organization"]
    with tenant_context(organization=organization):
        _, raw = api_key_create(
            organization=organization, actor=None, name="BI", roles={Role.PROGRAM_MANAGER}
        )
    survey = world["survey_id"]

    response = client.get(
        f"/api/v1/surveys/{survey.pk}/results/", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 200


# --- The selector -----------------------------------------------------------------------


def test_each_role_reaches_the_programs_the_table_and_the_rows_say(world, own_manager, admin):
    organization = world["organization"]
    pilot, other = world["program_id"], world["other_program"]
    executive = MembershipFactory(
        organization=organization, is_executive=True, is_participant=False
    )
    participant = MembershipFactory(organization=organization)
    both = MembershipFactory(organization=organization, is_program_manager=True, is_executive=True)
    gone = MembershipFactory(organization=organization, is_admin=True, is_active=False)
    with tenant_context(organization=organization):
        ProgramManager.objects.create(organization=organization, program=pilot, membership=both)

        def reach(member, permission="program.view"):
            return set(programs_managed_by(member, permission))

        assert reach(admin) == {pilot, other}
        assert reach(own_manager) == {pilot}
        assert reach(own_manager, "report.view") == {pilot}
        assert reach(executive) == set()
        assert reach(executive, "report.view") == {pilot, other}
        assert reach(both) == {pilot}
        assert reach(both, "report.view") == {pilot, other}
        assert reach(participant) == set()
        assert reach(gone) == set()
    assert has_permission_everywhere(admin, "program.manage")
    assert not has_permission_everywhere(own_manager, "program.manage")


# --- Lists --------------------------------------------------------------------------------


def test_the_programs_list_shows_a_manager_their_programs_and_an_admin_all(
    client, world, other_manager, admin
):
    slug = world["organization"].slug
    client.force_login(other_manager.user)
    mine = client.get(f"/o/{slug}/programs/").content.decode()
    client.force_login(admin.user)
    every = client.get(f"/o/{slug}/programs/").content.decode()

    assert "Other" in mine and "Pilot" not in mine
    assert "Other" in every and "Pilot" in every


def _activate(world: dict) -> None:
    with tenant_context(organization=world["organization"]):
        Program.objects.update(status=Program.Status.ACTIVE)


def test_the_overview_shows_a_manager_only_their_programs(client, world, other_manager, admin):
    _activate(world)
    organization = world["organization"]
    client.force_login(other_manager.user)
    page = client.get(f"/o/{organization.slug}/").content.decode()
    with tenant_context(organization=organization):
        theirs = programs_section(organization=organization, membership=other_manager)
        every = programs_section(organization=organization, membership=admin)

    assert [line.name for line in theirs.programs] == ["Other"]
    assert theirs.total == 1
    assert {line.name for line in every.programs} == {"Other", "Pilot"}
    pilot_url = reverse(
        "programs:detail",
        kwargs={"org_slug": organization.slug, "program_id": world["program_id"].pk},
    )
    assert pilot_url not in page and "Pilot" not in page


def test_the_organisations_figures_are_an_executives_not_a_managers(client, world, other_manager):
    organization = world["organization"]
    executive = MembershipFactory(
        organization=organization, is_executive=True, is_participant=False
    )
    client.force_login(other_manager.user)
    managers = client.get(f"/o/{organization.slug}/")
    client.force_login(executive.user)
    executives = client.get(f"/o/{organization.slug}/")

    assert managers.context["results_section"] is None
    assert executives.context["results_section"] is not None


def test_the_dashboard_takes_a_manager_to_their_program_and_offers_only_theirs(
    client, world, other_manager
):
    slug = world["organization"].slug
    other, pilot = world["other_program"], world["program_id"]
    client.force_login(other_manager.user)

    landing = client.get(f"/o/{slug}/reports/?start=2027-01-01")
    page = client.get(landing.url)
    refused = client.get(f"/o/{slug}/reports/programs/{pilot.pk}/")
    export = client.get(f"/o/{slug}/reports/export.csv")

    assert landing.url == f"/o/{slug}/reports/programs/{other.pk}/?start=2027-01-01"
    assert list(page.context["programs"]) == [other]
    assert "All programs" not in page.content.decode()
    assert refused.status_code == 404
    assert export.status_code == 403


def test_the_dashboard_of_a_manager_of_no_program_says_so(client, world):
    manager = MembershipFactory(
        organization=world["organization"], is_program_manager=True, is_participant=False
    )
    client.force_login(manager.user)

    response = client.get(f"/o/{world['organization'].slug}/reports/", follow=True)

    assert response.redirect_chain[-1][0] == f"/o/{world['organization'].slug}/"
    assert "you manage none yet" in response.content.decode()


def test_an_executive_reads_every_programs_dashboard(client, world):
    organization = world["organization"]
    executive = MembershipFactory(
        organization=organization, is_executive=True, is_participant=False
    )
    client.force_login(executive.user)

    whole = client.get(f"/o/{organization.slug}/reports/")
    pilot = client.get(f"/o/{organization.slug}/reports/programs/{world['program_id'].pk}/")

    assert whole.status_code == 200 and pilot.status_code == 200
    assert set(whole.context["programs"]) == {world["program_id"], world["other_program"]}
    assert "All programs" in whole.content.decode()


def _other_survey(world: dict) -> Survey:
    with tenant_context(organization=world["organization"]):
        return Survey.objects.create(
            organization=world["organization"], program=world["other_program"], title="Other's"
        )


def test_the_api_lists_a_manager_the_surveys_of_their_programs_only(
    client, world, other_manager, admin
):
    theirs = _other_survey(world)
    header = {"HTTP_X_ORGANIZATION": world["organization"].slug}

    def listed(member, query=""):
        client.force_login(member.user)
        body = client.get(f"/api/v1/surveys/{query}", **header).json()
        return {row["id"] for row in body["results"]}

    assert listed(other_manager) == {theirs.pk}
    assert listed(other_manager, f"?program={world['program_id'].pk}") == set()
    assert listed(admin) == {theirs.pk, world["survey_id"].pk}


def test_the_kpi_api_follows_the_dashboards_rule(client, world, other_manager):
    organization = world["organization"]
    header = {"HTTP_X_ORGANIZATION": organization.slug}
    executive = MembershipFactory(
        organization=organization, is_executive=True, is_participant=False
    )
    kpis = "/api/v1/reports/kpis/"
    client.force_login(other_manager.user)

    own = client.get(f"{kpis}?program={world['other_program'].pk}", **header)
    others = client.get(f"{kpis}?program={world['program_id'].pk}", **header)
    whole = client.get(kpis, **header)
    client.force_login(executive.user)
    executives = client.get(kpis, **header)

    assert own.status_code == 200
    assert others.status_code == 404 and others.json()["error"]["code"] == "not_found"
    assert whole.status_code == 403
    assert executives.status_code == 200


def test_the_digest_reaches_each_manager_for_their_own_program_only(world, other_manager):
    organization = world["organization"]
    pilot, other = world["program_id"], world["other_program"]
    _activate(world)
    pilot_manager = world["program_manager"].membership
    monday = datetime(2027, 3, 1, 9, 0, tzinfo=organization.zone)
    mail.outbox.clear()

    services.manager_digests_send(organization=organization, now=monday)

    with tenant_context(organization=organization):
        sent = set(Notification.objects.filter(kind=DIGEST).values_list("recipient_id", "key"))
    week = "2027-W09"
    assert sent == {
        (other_manager.pk, f"manager_digest:program:{other.pk}:week:{week}"),
        (pilot_manager.pk, f"manager_digest:program:{pilot.pk}:week:{week}"),
    }


def test_someone_whose_manager_role_was_taken_away_gets_no_digest_or_alert(world, other_manager):
    """Their ProgramManager row outlives the role; the digests and alerts, which name
    pairs, stop all the same."""
    organization = world["organization"]
    _activate(world)
    with tenant_context(organization=organization):
        other_manager.is_program_manager = False
        other_manager.save(update_fields=["is_program_manager"])
    monday = datetime(2027, 3, 1, 9, 0, tzinfo=organization.zone)

    services.manager_digests_send(organization=organization, now=monday)

    with tenant_context(organization=organization):
        recipients = set(
            Notification.objects.filter(kind=DIGEST).values_list("recipient_id", flat=True)
        )
        still_managing = set(program_manager_links().values_list("membership_id", flat=True))
    assert other_manager.pk not in recipients
    assert world["program_manager"].membership.pk in recipients
    assert other_manager.pk not in still_managing


def test_a_manager_who_hands_a_program_over_is_told_it_left_their_list(client, world, own_manager):
    organization = world["organization"]
    pilot, topic = world["program_id"], world["topic_id"]
    colleague = MembershipFactory(
        organization=organization, is_program_manager=True, is_participant=False
    )
    data = {
        "name": "Pilot",
        "direction": "reverse",
        "start_date": "2027-01-01",
        "end_date": "2027-06-30",
        "sessions_per_month": "1",
        "session_minutes": "60",
        "planned_sessions": "6",
        "ground_rules": "What is said in a session stays there.",
        "satisfaction_target": "90",
        "cadence_target": "80",
        "matching_mode": "engine",
        "topics": [topic.pk],
        "managers": [colleague.pk],
    }
    client.force_login(own_manager.user)

    response = client.post(f"/o/{organization.slug}/programs/{pilot.pk}/edit/", data, follow=True)

    assert response.redirect_chain[-1][0] == f"/o/{organization.slug}/programs/"
    assert "it has left your list" in response.content.decode()
    assert client.get(f"/o/{organization.slug}/programs/{pilot.pk}/").status_code == 404
    with tenant_context(organization=organization):
        managers = ProgramManager.objects.filter(program=pilot)
        assert set(managers.values_list("membership", flat=True)) == {colleague.pk}
