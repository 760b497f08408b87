"""The project's routes, enumerated from the URL configuration, and the machinery that
points their keyword arguments at a world's objects (tests/tenant_world.py): shared by
the cross-tenant, program-scoping, confidentiality and anonymity tests, so a new app's
routes are covered without anyone editing them.

``ROUTES``: every route of ours that takes a keyword argument (the tenant-isolation tests
try them). ``READABLE_ROUTES``: every route a reader may request, ours and the sign-in
pages (the confidentiality and anonymity tests read them all).
"""

import io
import re
import zipfile
from collections import Counter

from django.db.models import Model
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import User
from organizations.models import Organization
from organizations.tenancy import tenant_context, tenant_models

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


def walk_routes(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from walk_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
            yield name, prefix + str(pattern.pattern), pattern.callback


def is_third_party(callback) -> bool:
    return callback.__module__.split(".")[0] in THIRD_PARTY


def is_tenant_route(route: str) -> bool:
    return route.removeprefix("^").startswith(TENANT_PREFIXES)


def discover_routes(patterns) -> tuple[dict[str, tuple[set[str], object]], list[str]]:
    """Route name -> (its URL keyword arguments, its view) for every route of ours that
    takes any; and the routes of ours that cannot be reversed by name, to fail on."""
    routes, unbuildable = {}, []
    seen = Counter()
    for name, route, callback in walk_routes(patterns):
        if is_third_party(callback) and not is_tenant_route(route):
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


ROUTES, UNBUILDABLE = discover_routes(get_resolver().url_patterns)
API_ROUTES = {name for name, (_, view) in ROUTES.items() if hasattr(view, "cls")}
# SCIM provisioning (/scim/v2/): a bearer token names the organisation, as an API key does.
SCIM_ROUTES = {
    name
    for name, route, _view in walk_routes(get_resolver().url_patterns)
    if name in ROUTES and route.removeprefix("^").startswith("scim/")
}


def objects_by_model(world: dict[str, object]) -> dict[type[Model], Model]:
    """A's object of each model in the world."""
    objects = {}
    for value in world.values():
        if isinstance(value, Model):
            objects.setdefault(type(value), value)
    return objects


def api_model(view) -> type[Model] | None:
    """The model a DRF view serves: its serializer's, else its queryset's."""
    cls = getattr(view, "cls", None)
    meta = getattr(getattr(cls, "serializer_class", None), "Meta", None)
    if getattr(meta, "model", None) is not None:
        return meta.model
    queryset = getattr(cls, "queryset", None)
    return getattr(queryset, "model", None)


def value_for(world: dict[str, object], name: str, view):
    """A's value for the URL keyword ``name`` of ``view``, or None if the world has none."""
    objects = objects_by_model(world)
    if name in world and name != "organization":
        value = world[name]
    elif name == "pk":
        value = objects.get(api_model(view))
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


def unresolved(world: dict[str, object], route: str) -> set[str]:
    names, view = ROUTES[route]
    return {name for name in names - SLUG_KWARGS if value_for(world, name, view) is None}


def route_kwargs(world: dict[str, object], route: str) -> dict[str, object]:
    """The route's keyword arguments pointing at A's objects, less the organisation slug."""
    assert not unresolved(world, route), route
    names, view = ROUTES[route]
    return {name: value_for(world, name, view) for name in names - SLUG_KWARGS}


def snapshot(organization: Organization):
    """Everything organisation A holds, to prove a request changed nothing."""
    rows = {"organization": list(Organization.objects.filter(pk=organization.pk).values())}
    with tenant_context(organization=organization):
        for model in tenant_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    rows["users"] = list(User.objects.order_by("pk").values("pk", "email", "password", "is_active"))
    return rows


def _readable_routes() -> dict[str, tuple[set[str], object, bool]]:
    """Route name -> (URL keyword arguments, view, ours). Ours: every route of our apps
    and of the API. Other apps' routes (sign-in pages, the admin site) only when they
    take no argument, and never one that signs out."""
    routes = {}
    for name, route, callback in walk_routes(get_resolver().url_patterns):
        if not name or name in routes:
            continue
        ours = not is_third_party(callback) or is_tenant_route(route)
        kwargs = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if ours or (not kwargs and "logout" not in name):
            routes[name] = (kwargs, callback, ours)
    return routes


READABLE_ROUTES = _readable_routes()


def urls_for(worlds, slug: str) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """Route name -> its URLs (one per distinct filling of its ids), and the URL keywords
    nothing in the worlds can fill (ours only; another app's such route is left out)."""
    urls, missing = {}, {}
    for name, (names, view, ours) in sorted(READABLE_ROUTES.items()):
        found = set()
        for variant in worlds:
            kwargs = {n: value_for(variant, n, view) for n in names - SLUG_KWARGS}
            if unfilled := {n for n, v in kwargs.items() if v is None}:
                if ours:
                    missing[name] = unfilled
                break
            kwargs.update(dict.fromkeys(names & SLUG_KWARGS, slug))
            found.add(reverse(name, kwargs=kwargs))
        else:
            urls[name] = sorted(found)
    return urls, missing


def body_of(response) -> bytes:
    """Everything a response says: its headers and its content, streamed or not."""
    # A streamed one (CSV) consumed to the end is closed by the test client: closing it
    # again here would fire request_finished and close the test's database connection.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return str(dict(response.headers)).encode() + content + _unzipped(content)


def _unzipped(content: bytes) -> bytes:
    """What a zip (a personal data export) holds, uncompressed: its words are what a
    reader of it reads."""
    if not content.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(content)):
        return b""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())
