"""Every route that takes an organisation, an object id or a slug, tried by a member of
another organisation with every role there: each answers 404 to every method (exactly as
for an object that does not exist) and changes nothing.

The routes are enumerated from the URL configuration, so a new route is covered without
anyone editing this file. A route this file cannot build an object for fails
``test_every_route_with_an_id_can_be_built`` until a builder is added to BUILDERS.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from organizations.api_keys import api_key_create
from organizations.models import DirectoryImport, Employee, Invitation, Organization
from organizations.roles import Role
from organizations.services import invitation_token_hash
from organizations.tenancy import tenant_context, tenant_models
from programs.models import Cohort, Program, Topic
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


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = ":".join(filter(None, [namespace, pattern.name]))
            yield name, prefix + str(pattern.pattern), pattern.callback


def _routes_with_ids() -> dict[str, set[str]]:
    """Route name -> its URL keyword arguments, for our own routes that take any."""
    import re

    routes = {}
    for name, route, callback in _walk(get_resolver().url_patterns):
        if callback.__module__.split(".")[0] not in OUR_APPS:
            continue
        kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if kwargs:
            routes[name] = kwargs
            if hasattr(callback, "cls"):
                API_ROUTES.add(name)
    return routes


API_ROUTES: set[str] = set()


@dataclass
class World:
    """Organisation A with one object of every kind a route can point at."""

    organization: Organization
    membership_id: int
    invitation_id: int
    employee_id: int
    import_id: int
    api_key_id: int
    program_id: int
    topic_id: int
    cohort_id: int


def _build_world() -> World:
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
        cohort = Cohort.objects.create(
            organization=organization,
            program=program,
            name="Pilot cohort",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 3, 31),
        )
    return World(
        organization,
        member.pk,
        invitation.pk,
        employee.pk,
        directory_import.pk,
        api_key.pk,
        program.pk,
        topic.pk,
        cohort.pk,
    )


# How to point each route at organisation A's objects. ``org_slug`` is added for routes
# under /o/<slug>/.
BUILDERS = {
    "organizations:overview": lambda w: {},
    "organizations:member_list": lambda w: {},
    "organizations:member_detail": lambda w: {"membership_id": w.membership_id},
    "organizations:member_deactivate": lambda w: {"membership_id": w.membership_id},
    "organizations:member_reactivate": lambda w: {"membership_id": w.membership_id},
    "organizations:invitation_list": lambda w: {},
    "organizations:invitation_resend": lambda w: {"invitation_id": w.invitation_id},
    "organizations:invitation_revoke": lambda w: {"invitation_id": w.invitation_id},
    "organizations:settings": lambda w: {},
    "organizations:logo": lambda w: {},
    "organizations:directory": lambda w: {},
    "organizations:my_profile": lambda w: {},
    "organizations:directory_export": lambda w: {},
    "organizations:employee_detail": lambda w: {"employee_id": w.employee_id},
    "organizations:directory_import_page": lambda w: {},
    "organizations:directory_import_template": lambda w: {},
    "organizations:directory_import": lambda w: {"import_id": w.import_id},
    "organizations:directory_import_apply": lambda w: {"import_id": w.import_id},
    "organizations:directory_import_discard": lambda w: {"import_id": w.import_id},
    "organizations:api_keys": lambda w: {},
    "organizations:api_key_revoke": lambda w: {"api_key_id": w.api_key_id},
    "programs:list": lambda w: {},
    "programs:new": lambda w: {},
    "programs:topics": lambda w: {},
    "programs:topic_edit": lambda w: {"topic_id": w.topic_id},
    "programs:detail": lambda w: {"program_id": w.program_id},
    "programs:edit": lambda w: {"program_id": w.program_id},
    "programs:copy": lambda w: {"program_id": w.program_id},
    "programs:status": lambda w: {"program_id": w.program_id},
    "programs:cohort_new": lambda w: {"program_id": w.program_id},
    "programs:cohort_edit": lambda w: {"program_id": w.program_id, "cohort_id": w.cohort_id},
    "api_employee_detail": lambda w: {"pk": w.employee_id},
    "api_member_detail": lambda w: {"pk": w.membership_id},
    "organizations:audit_log": lambda w: {},
    "invitation_accept": lambda w: {
        "organization_slug": w.organization.slug,
        "token": INVITATION_TOKEN,
    },
}
ROUTES = _routes_with_ids()
ROUTES_SET = set(ROUTES)


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


def test_every_route_with_an_id_can_be_built():
    missing = sorted(set(ROUTES) - set(BUILDERS))
    assert missing == [], f"teach tests/test_cross_tenant.py how to build: {missing}"
    print(f"cross-tenant test covers {len(ROUTES)} routes: {', '.join(sorted(ROUTES))}")


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROUTES_SET - API_ROUTES))
def test_another_organisations_member_gets_404_and_changes_nothing(client, outsider, route):
    world = _build_world()
    client.force_login(outsider)
    kwargs = BUILDERS[route](world)
    urls = []
    if "org_slug" in ROUTES[route]:
        # A's object under A's address, and A's object under B's own address.
        urls.append(reverse(route, kwargs={**kwargs, "org_slug": world.organization.slug}))
        if kwargs:
            urls.append(reverse(route, kwargs={**kwargs, "org_slug": "tenant-b"}))
    elif "organization_slug" in ROUTES[route]:
        urls.append(reverse(route, kwargs={**kwargs, "organization_slug": "tenant-b"}))
    before = _snapshot(world.organization)

    answers = {
        (url, method): getattr(client, method)(url).status_code
        for url in urls
        for method in METHODS
    }

    assert set(answers.values()) == {404}, answers
    assert _snapshot(world.organization) == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(API_ROUTES))
def test_another_organisations_api_key_gets_404_and_changes_nothing(client, outsider_key, route):
    """An API route answers another organisation's object exactly as a missing one: 404,
    or 405 for a method the route does not take at all (the same for any id)."""
    world = _build_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_key}"}
    foreign = reverse(route, kwargs=BUILDERS[route](world))
    missing = reverse(route, kwargs=dict.fromkeys(BUILDERS[route](world), 999_999_999))
    before = _snapshot(world.organization)

    for method in METHODS:
        answer = getattr(client, method)(foreign, **headers)
        expected = getattr(client, method)(missing, **headers).status_code
        assert answer.status_code in (404, 405), (method, answer.status_code)
        assert answer.status_code == expected, method
    assert client.get(foreign, **headers).json()["error"]["code"] == "not_found"
    assert _snapshot(world.organization) == before
