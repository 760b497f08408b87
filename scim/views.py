"""The SCIM endpoint (/scim/v2/, RFC 7644) and the admin's page for its tokens.

The endpoint is not under /o/<slug>/: identity providers take one base URL, and the
token names the organisation (as an API key does). A valid token enters its
organisation for the whole request (organizations.tenancy), so every read and write runs
inside it, row-level security included; anything else answers a SCIM error in JSON.
"""

import functools
import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    Context,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    ResponseParameters,
    SCIMException,
    UnauthorizedException,
)

from organizations.audit import client_ip
from organizations.decorators import permission_required
from organizations.http import post_only, posted
from organizations.middleware import _bearer_token, _too_many_rejected_keys
from organizations.models import Organization
from organizations.tenancy import tenant_context
from scim import schema, services
from scim.forms import ScimTokenForm
from scim.models import ScimToken
from scim.selectors import group_member_ids, scim_group_list, scim_user_list
from scim.tokens import scim_token_create, scim_token_find, scim_token_organization_slug
from scim.tokens import scim_token_revoke as scim_token_revoke_service

CONTENT_TYPE = "application/scim+json"
DEFAULT_PAGE_SIZE = 100
BASE_PATH = "/scim/v2"


def _json(body, status: int = 200, **headers) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE, safe=False)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def scim_error(problem: SCIMException) -> HttpResponse:
    error = problem.to_error()
    response = _json(error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), problem.status)
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def scim_endpoint(view):
    """Authenticate with the organisation's SCIM token, enter the organisation, and turn
    what the view refuses into SCIM error JSON."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        raw = _bearer_token(request) or ""
        slug = scim_token_organization_slug(raw)
        organization = Organization.objects.filter(slug=slug).first() if slug else None
        if organization is not None:
            with tenant_context(organization=organization):
                token = scim_token_find(organization=organization, raw=raw)
                if token is not None:
                    caller = services.Caller(
                        organization=organization,
                        token=token,
                        base_url=request.build_absolute_uri(BASE_PATH),
                    )
                    try:
                        return view(request, caller, *args, **kwargs)
                    except SCIMException as problem:
                        return scim_error(problem)
        # Guessing tokens: each address gets a few wrong ones a minute, then waits.
        if raw and _too_many_rejected_keys(request):
            problem = SCIMException(detail=_("Too many requests with tokens that are not valid."))
            problem.status = 429
            return scim_error(problem)
        return scim_error(
            UnauthorizedException(
                detail=_(
                    "The SCIM token is missing, unknown or revoked. Send the organisation's "
                    "token as Authorization: Bearer <token>."
                )
            )
        )

    return wrapped


def _method_not_allowed(*allowed: str) -> HttpResponse:
    problem = SCIMException(
        detail=_("This address takes %(methods)s.") % {"methods": ", ".join(allowed)}
    )
    problem.status = 405
    response = scim_error(problem)
    response["Allow"] = ", ".join(allowed)
    return response


def _body(request):
    try:
        return json.loads(request.body or b"{}")
    except ValueError as error:
        problem = SCIMException(detail=_("The request body is not JSON."))
        problem.scim_type = "invalidSyntax"
        raise problem from error


def _response_parameters(request) -> ResponseParameters:
    return services.parse(
        ResponseParameters,
        {
            "attributes": request.GET.get("attributes") or None,
            "excludedAttributes": request.GET.get("excludedAttributes") or None,
        },
        context=Context.RESOURCE_QUERY_REQUEST,
    )


def _whole(request, name: str, default: int) -> int:
    value = request.GET.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        problem = SCIMException(detail=_("%(name)s is a whole number.") % {"name": name})
        problem.scim_type = "invalidValue"
        raise problem from None


def _resource_response(request, resource, status=200) -> HttpResponse:
    headers = {"ETag": resource.meta.version}
    if status == 201:
        headers["Location"] = resource.meta.location
    elif request.method == "GET" and request.headers.get("If-None-Match") == resource.meta.version:
        return HttpResponse(status=304, headers=headers)
    body = resource.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
        response_parameters=_response_parameters(request),
    )
    return _json(body, status, **headers)


def _list_response(request, resources_of, queryset, model) -> HttpResponse:
    """One page (startIndex is 1-based, count at most MAX_PAGE_SIZE) of ``queryset``."""
    start = max(_whole(request, "startIndex", 1), 1)
    count = min(max(_whole(request, "count", DEFAULT_PAGE_SIZE), 0), schema.MAX_PAGE_SIZE)
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count]) if count else []
    listing = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=resources_of(page),
    )
    body = listing.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
        response_parameters=_response_parameters(request),
    )
    body.setdefault("Resources", [])
    return _json(body)


# --- Discovery -----------------------------------------------------------------------------


def _discovery_listing(items) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(items),
        "startIndex": 1,
        "itemsPerPage": len(items),
        "Resources": items,
    }


def _dumped(caller, item, endpoint: str) -> dict:
    body = item.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    body["meta"] = {
        "resourceType": endpoint.removesuffix("s"),
        "location": f"{caller.base_url}/{endpoint}/{body['id']}",
    }
    return body


@scim_endpoint
def service_provider_config(request, caller):
    if request.method != "GET":
        return _method_not_allowed("GET")
    config = schema.service_provider_config(
        documentation=request.build_absolute_uri("/") + "#scim-provisioning"
    )
    body = config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    body["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": f"{caller.base_url}/ServiceProviderConfig",
    }
    return _json(body)


def _discovery(items_of, endpoint: str):
    @scim_endpoint
    def listing(request, caller, **kwargs):
        if request.method != "GET":
            return _method_not_allowed("GET")
        item_id = next(iter(kwargs.values()), None)
        items = [_dumped(caller, item, endpoint) for item in items_of()]
        if item_id is None:
            return _json(_discovery_listing(items))
        found = next((item for item in items if item["id"] == item_id), None)
        if found is None:
            raise NotFoundException(
                detail=_("Nothing in %(endpoint)s has the id %(id)s.")
                % {"endpoint": endpoint, "id": item_id}
            )
        return _json(found)

    return listing


schema_list = _discovery(schema.schemas, "Schemas")
resource_type_list = _discovery(schema.resource_types, "ResourceTypes")


# --- Users and groups --------------------------------------------------------------------


@scim_endpoint
def user_list(request, caller):
    if request.method == "POST":
        wanted = services.parse(
            schema.UserResource, _body(request), context=Context.RESOURCE_CREATION_REQUEST
        )
        scim_user = services.user_create(caller=caller, wanted=wanted)
        return _resource_response(
            request, services.user_resource(scim_user, caller=caller), status=201
        )
    if request.method != "GET":
        return _method_not_allowed("GET", "POST")
    users = scim_user_list(organization=caller.organization, filter_text=request.GET.get("filter"))
    return _list_response(
        request,
        lambda page: [services.user_resource(user, caller=caller) for user in page],
        users,
        schema.UserResource,
    )


@scim_endpoint
def user_detail(request, caller, scim_user_id):
    scim_user = services.user_get(caller=caller, pk=scim_user_id)
    if scim_user is None:
        raise NotFoundException(detail=_("No user has the id %(id)s.") % {"id": scim_user_id})
    if_match = request.headers.get("If-Match")
    if request.method == "GET":
        return _resource_response(request, services.user_resource(scim_user, caller=caller))
    if request.method == "PUT":
        services.check_version(services.user_resource(scim_user, caller=caller), if_match)
        wanted = services.parse(
            schema.UserResource, _body(request), context=Context.RESOURCE_REPLACEMENT_REQUEST
        )
        scim_user = services.user_replace(caller=caller, scim_user=scim_user, wanted=wanted)
    elif request.method == "PATCH":
        scim_user = services.user_patch(
            caller=caller, scim_user=scim_user, body=_body(request), if_match=if_match
        )
    elif request.method == "DELETE":
        services.check_version(services.user_resource(scim_user, caller=caller), if_match)
        services.user_delete(caller=caller, scim_user=scim_user)
        return HttpResponse(status=204)
    else:
        return _method_not_allowed("GET", "PUT", "PATCH", "DELETE")
    scim_user.employee.refresh_from_db()
    return _resource_response(request, services.user_resource(scim_user, caller=caller))


def _group_resources(caller, groups):
    members = group_member_ids(organization=caller.organization, groups=groups)
    return [
        services.group_resource(group, caller=caller, members=members[group.pk]) for group in groups
    ]


@scim_endpoint
def group_list(request, caller):
    if request.method == "POST":
        wanted = services.parse(
            schema.Group, _body(request), context=Context.RESOURCE_CREATION_REQUEST
        )
        scim_group = services.group_create(caller=caller, wanted=wanted)
        return _resource_response(
            request, services.group_resource(scim_group, caller=caller), status=201
        )
    if request.method != "GET":
        return _method_not_allowed("GET", "POST")
    groups = scim_group_list(
        organization=caller.organization, filter_text=request.GET.get("filter")
    )
    return _list_response(
        request, lambda page: _group_resources(caller, page), groups, schema.Group
    )


@scim_endpoint
def group_detail(request, caller, scim_group_id):
    scim_group = services.group_get(caller=caller, pk=scim_group_id)
    if scim_group is None:
        raise NotFoundException(detail=_("No group has the id %(id)s.") % {"id": scim_group_id})
    if_match = request.headers.get("If-Match")
    if request.method == "GET":
        return _resource_response(request, services.group_resource(scim_group, caller=caller))
    if request.method == "PUT":
        services.check_version(services.group_resource(scim_group, caller=caller), if_match)
        wanted = services.parse(
            schema.Group, _body(request), context=Context.RESOURCE_REPLACEMENT_REQUEST
        )
        scim_group = services.group_replace(caller=caller, scim_group=scim_group, wanted=wanted)
    elif request.method == "PATCH":
        scim_group = services.group_patch(
            caller=caller, scim_group=scim_group, body=_body(request), if_match=if_match
        )
    elif request.method == "DELETE":
        services.check_version(services.group_resource(scim_group, caller=caller), if_match)
        services.group_delete(caller=caller, scim_group=scim_group)
        return HttpResponse(status=204)
    else:
        return _method_not_allowed("GET", "PUT", "PATCH", "DELETE")
    scim_group.department.refresh_from_db()
    return _resource_response(request, services.group_resource(scim_group, caller=caller))


@scim_endpoint
def search(request, caller):
    """POST /.search across resource types: not offered (each endpoint filters)."""
    raise NotImplementedException(
        detail=_("Search one resource type at a time: GET /Users or /Groups with a filter.")
    )


@scim_endpoint
def unknown(request, caller):
    raise NotFoundException(detail=_("No such address in the SCIM API."))


# --- The admin's page for tokens ------------------------------------------------------------


@permission_required("scim_token.manage")
def token_list(request, org_slug):
    """GET lists the tokens; POST makes one and shows it, this once."""
    form = ScimTokenForm(posted(request))
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = scim_token_create(
            organization=request.organization,
            actor=request.user,
            name=form.cleaned_data["name"],
            ip_address=client_ip(request),
        )
        form = ScimTokenForm()
    tokens = ScimToken.objects.filter(organization=request.organization).select_related(
        "created_by"
    )
    context = {
        "form": form,
        "tokens": tokens,
        "new_token": new_token,
        "base_url": request.build_absolute_uri(BASE_PATH + "/"),
    }
    return render(request, "scim/tokens.html", context)


@permission_required("scim_token.manage")
def token_revoke(request, org_slug, scim_token_id):
    token = get_object_or_404(ScimToken, pk=scim_token_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    scim_token_revoke_service(
        organization=request.organization,
        actor=request.user,
        token=token,
        ip_address=client_ip(request),
    )
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("scim:tokens", org_slug=org_slug)
