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

import re
from collections import Counter

import pytest
from django.db.models import Model
from django.urls import NoReverseMatch, URLResolver, get_resolver, path, reverse

from accounts.models import User
from organizations.api_keys import api_key_create
from organizations.models import Organization
from organizations.roles import Role
from organizations.tenancy import tenant_context, tenant_models
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.tenant_world import build_world

# Packages whose routes are not ours to test: they take no tenant object (sign-in links,
# the admin site for the operators, the API schema). Anything else is ours, so a new app
# needs no line here; a new third-party package with routes that take ids fails
# test_every_route_with_an_id_can_be_built until it is named here.
THIRD_PARTY = ("allauth", "django", "rest_framework", "drf_spectacular")
# Routes here are tenant routes whatever package their view comes from.
TENANT_PREFIXES = ("o/", "api/", "invitations/")
METHODS = ["get", "post", "put", "patch", "delete"]
# Set by the tests themselves: A's slug, and B's slug where the route takes an object.
SLUG_KWARGS = {"org_slug", "organization_slug"}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
            yield name, prefix + str(pattern.pattern), pattern.callback


def _is_third_party(callback) -> bool:
    return callback.__module__.split(".")[0] in THIRD_PARTY


def _is_tenant_route(route: str) -> bool:
    return route.removeprefix("^").startswith(TENANT_PREFIXES)


def _discover(patterns) -> tuple[dict[str, tuple[set[str], object]], list[str]]:
    """Route name -> (its URL keyword arguments, its view) for every route of ours that
    takes any; and the routes of ours that cannot be reversed by name, to fail on."""
    routes, unbuildable = {}, []
    seen = Counter()
    for name, route, callback in _walk(patterns):
        if _is_third_party(callback) and not _is_tenant_route(route):
            continue
        kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if not kwargs:
            continue
        seen[name] += 1
        if not name:
            unbuildable.append(f"{route} has no name")
        elif seen[name] > 1:
            unbuildable.append(f"{route}: another route is also named {name!r}")
        else:
            routes[name] = (kwargs, callback)
    return routes, unbuildable


ROUTES, UNBUILDABLE = _discover(get_resolver().url_patterns)
API_ROUTES = {name for name, (_, view) in ROUTES.items() if hasattr(view, "cls")}


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
    world = build_world()
    missing = {
        route: sorted(names) for route in sorted(ROUTES) if (names := _unresolved(world, route))
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
            reverse(route, kwargs={**_kwargs(world, route), **slugs})
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

    routes, unbuildable = _discover(patterns)

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
@pytest.mark.parametrize("route", sorted(set(ROUTES) - API_ROUTES))
def test_another_organisations_member_gets_404_and_changes_nothing(client, outsider, route):
    world = build_world()
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
    world = build_world()
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
