"""Every route that takes an organisation, an object id or a slug, tried by a member of
another organisation with every role there: each answers 404 to every method (exactly as
for an object that does not exist) and changes nothing.

The routes are enumerated from the URL configuration: every route under a tenant's
prefixes (``o/``, ``api/``, ``invitations/``) whoever wrote its view, and every other
route whose view is not a third-party package's (``THIRD_PARTY``), so a new app's routes
are covered without anyone editing this file. Their keyword arguments are filled by name
from a "world": organisation A with one object of every kind, built by
``tests.tenant_world.build_world``. ``<thing>_id`` finds the world's entry of that name,
else A's object whose model is named ``thing`` (with or without underscores); an API
route's ``pk`` finds A's object of the model its view serves. Only a new kind of object
needs a line in ``build_world``, and until it has one
``test_every_route_with_an_id_can_be_built`` fails and says so; so does a route that
cannot be reversed (no name, or a name two routes share).
"""

import functools
import json

import pytest
from django.urls import NoReverseMatch, path, reverse

from organizations.api_keys import api_key_create
from organizations.models import Organization
from organizations.roles import Role
from organizations.tenancy import tenant_context
from scim.tokens import scim_token_create
from tests.routes import (
    API_ROUTES,
    METHODS,
    ROUTES,
    SCIM_ROUTES,
    SLUG_KWARGS,
    UNBUILDABLE,
    discover_routes,
    route_kwargs,
    snapshot,
    unresolved,
)
from tests.tenant_world import build_outsider, build_world


@pytest.fixture
def outsider(db):
    """A member of organisation B holding every role there."""
    return build_outsider(slug="tenant-b", name="Tenant B")


@pytest.fixture
def outsider_key(outsider):
    """An API key of organisation B holding every role there."""
    organization = Organization.objects.get(slug="tenant-b")
    with tenant_context(organization=organization):
        _, raw = api_key_create(
            organization=organization, actor=outsider, name="B", roles=set(Role)
        )
    return raw


@pytest.fixture
def outsider_scim_token(outsider):
    """A SCIM token of organisation B."""
    organization = Organization.objects.get(slug="tenant-b")
    with tenant_context(organization=organization):
        _, raw = scim_token_create(organization=organization, actor=outsider, name="B's IdP")
    return raw


@pytest.mark.django_db
def test_every_route_with_an_id_can_be_built():
    world = build_world()
    missing = {
        route: sorted(names) for route in sorted(ROUTES) if (names := unresolved(world, route))
    }
    assert missing == {}, (
        "tests/tenant_world.py has nothing to point these URL keywords at: add an object"
        " of that kind to build_world (keyed by the keyword if it is not named after its"
        f" model), or, for a third-party package's routes, name it in THIRD_PARTY: {missing}"
    )
    assert UNBUILDABLE == [], f"these routes cannot be reversed, so are never tried: {UNBUILDABLE}"
    unreversible = {}
    for route in sorted(ROUTES):
        names, _ = ROUTES[route]
        slugs = dict.fromkeys(names & SLUG_KWARGS, world["organization"].slug)
        try:
            reverse(route, kwargs={**route_kwargs(world, route), **slugs})
        except NoReverseMatch as error:
            unreversible[route] = str(error)
    assert unreversible == {}
    print(f"cross-tenant test covers {len(ROUTES)} routes: {', '.join(sorted(ROUTES))}")


def _view_of(module: str):
    def view(request, **kwargs):
        raise AssertionError("never called")

    view.__module__ = module
    return view


def test_route_discovery_takes_a_new_apps_routes_and_leaves_out_third_party_ones():
    patterns = [
        path("o/<slug:org_slug>/things/<int:thing_id>/", _view_of("newapp.views"), name="thing"),
        path("widgets/<int:widget_id>/", _view_of("newapp.views"), name="widget"),
        path("o/<slug:org_slug>/page/<int:page_id>/", _view_of("django.views"), name="page"),
        path("accounts/reset/<key>/", _view_of("allauth.account.views"), name="reset"),
        path("admin/<path:object_id>/", _view_of("django.contrib.admin.options"), name="adm"),
        path("o/<slug:org_slug>/nameless/<int:thing_id>/", _view_of("newapp.views")),
        path("o/<slug:org_slug>/twin/<int:thing_id>/", _view_of("newapp.views"), name="thing"),
        path("o/<slug:org_slug>/", _view_of("newapp.views"), name="home"),
        path("about/", _view_of("newapp.views"), name="about"),
    ]

    routes, unbuildable = discover_routes(patterns)

    assert set(routes) == {"thing", "widget", "page", "home"}
    assert unbuildable == [
        "o/<slug:org_slug>/nameless/<int:thing_id>/ has no name",
        "o/<slug:org_slug>/twin/<int:thing_id>/: another route is also named 'thing'",
    ]


def test_the_real_routes_include_every_app_and_no_third_party_ones():
    apps = {view.__module__.split(".")[0] for _, view in ROUTES.values()}

    assert {"organizations", "programs", "matching", "sessions", "surveys", "reports"} <= apps
    assert not any(name.startswith("admin:") or name.startswith("account_") for name in ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(set(ROUTES) - API_ROUTES - SCIM_ROUTES))
def test_another_organisations_member_gets_404_and_changes_nothing(client, outsider, route):
    world = build_world()
    organization = world["organization"]
    client.force_login(outsider)
    kwargs = route_kwargs(world, route)
    names, _ = ROUTES[route]
    urls = []
    if "org_slug" in names:
        # A's object under A's address, and A's object under B's own address.
        urls.append(reverse(route, kwargs={**kwargs, "org_slug": organization.slug}))
        if kwargs:
            urls.append(reverse(route, kwargs={**kwargs, "org_slug": "tenant-b"}))
    elif "organization_slug" in names:
        urls.append(reverse(route, kwargs={**kwargs, "organization_slug": "tenant-b"}))
    before = snapshot(organization)

    answers = {
        (url, method): getattr(client, method)(url).status_code
        for url in urls
        for method in METHODS
    }

    assert set(answers.values()) == {404}, answers
    assert snapshot(organization) == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(API_ROUTES))
def test_another_organisations_api_key_gets_404_and_changes_nothing(client, outsider_key, route):
    """An API route answers another organisation's object exactly as a missing one: 404,
    or 405 for a method the route does not take at all (the same for any id)."""
    world = build_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_key}"}
    kwargs = route_kwargs(world, route)
    foreign = reverse(route, kwargs=kwargs)
    missing = reverse(route, kwargs=dict.fromkeys(kwargs, 999_999_999))
    before = snapshot(world["organization"])

    for method in METHODS:
        answer = getattr(client, method)(foreign, **headers)
        expected = getattr(client, method)(missing, **headers).status_code
        assert answer.status_code in (404, 405), (method, answer.status_code)
        assert answer.status_code == expected, method
    assert client.get(foreign, **headers).json()["error"]["code"] == "not_found"
    assert snapshot(world["organization"]) == before


# SCIM's discovery documents (schemas, resource types) are the same for every organisation.
SCIM_SHARED_KWARGS = {"scim_schema_id", "scim_resource_type_id"}


def test_scim_routes_are_found_and_tried():
    assert {"scim_user", "scim_group"} <= SCIM_ROUTES
    assert not SCIM_ROUTES & API_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    sorted(name for name in SCIM_ROUTES if not ROUTES[name][0] & SCIM_SHARED_KWARGS),
)
def test_another_organisations_scim_token_gets_404_and_changes_nothing(
    client, outsider_scim_token, route
):
    """A SCIM route answers another organisation's user or group exactly as a missing
    one, to every method: B's identity provider can neither read nor change A's people."""
    world = build_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_scim_token}"}
    kwargs = route_kwargs(world, route)
    foreign = reverse(route, kwargs=kwargs)
    missing = reverse(route, kwargs=dict.fromkeys(kwargs, 999_999_999))
    body = json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
    )
    before = snapshot(world["organization"])

    for method in METHODS:
        send = getattr(client, method)
        if method in ("post", "put", "patch"):
            send = functools.partial(send, data=body, content_type="application/scim+json")
        answer = send(foreign, **headers)
        expected = send(missing, **headers)
        assert answer.status_code in (404, 405), (method, answer.status_code)
        assert answer.status_code == expected.status_code, method
        assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert snapshot(world["organization"]) == before


@pytest.mark.django_db
def test_another_organisations_scim_token_finds_and_moves_none_of_its_people(
    client, outsider_scim_token
):
    world = build_world()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {outsider_scim_token}"}
    user_id, group_id = world["scim_user_id"].pk, world["scim_group_id"].pk
    before = snapshot(world["organization"])

    users = client.get("/scim/v2/Users", **headers).json()
    by_name = client.get('/scim/v2/Users?filter=userName eq "sky@example.com"', **headers)
    groups = client.get(f'/scim/v2/Groups?filter=members[value eq "{user_id}"]', **headers)
    taken = client.post(
        "/scim/v2/Groups",
        data=f'{{"displayName": "Mine", "members": [{{"value": "{user_id}"}}]}}',
        content_type="application/scim+json",
        **headers,
    )

    assert users["totalResults"] == 0
    assert by_name.json()["totalResults"] == 0
    assert groups.json()["totalResults"] == 0
    assert taken.status_code == 400
    assert str(group_id) not in client.get("/scim/v2/Groups", **headers).content.decode()
    assert snapshot(world["organization"]) == before
