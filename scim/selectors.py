"""SCIM reads: the organisation's provisioned users and groups, filtered (RFC 7644
§3.4.2.2) in the database. The filter is parsed by scim2-models; its tree becomes a
Django ``Q`` over the attributes below, and any other attribute is refused as
``invalidFilter`` rather than silently matching nothing."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from organizations.models import Organization
from scim.models import ScimGroup, ScimUser
from scim.services import resource_id

# attribute path (lower case) -> (field, case-exact)
USER_FIELDS = {
    "id": ("pk", True),
    "username": ("user_name", False),
    "externalid": ("external_id", True),
    "displayname": ("display_name", False),
    "name.formatted": ("formatted_name", False),
    "name.givenname": ("given_name", False),
    "name.familyname": ("family_name", False),
    "emails": ("employee__email", False),
    "emails.value": ("employee__email", False),
    "emails.type": ("email_type", False),
    "title": ("employee__job_title", False),
    "employeenumber": ("employee__employee_number", True),
}
GROUP_FIELDS = {
    "id": ("pk", True),
    "displayname": ("department__name", False),
    "externalid": ("external_id", True),
    "members": ("department__employees__scim_user__pk", True),
    "members.value": ("department__employees__scim_user__pk", True),
}
_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
}


def _field(fields: dict, attr: AttrPath, prefix: str = "") -> tuple[str, bool]:
    name = (prefix + str(AttrPath(attr.attr, attr.sub_attr))).lower()
    if name not in fields:
        raise InvalidFilterException(
            detail=_("Filtering on %(attribute)s is not supported.") % {"attribute": attr}
        )
    return fields[name]


def _q(node, fields: dict, prefix: str = "") -> Q:
    if isinstance(node, LogicalExpr):
        terms = [_q(term, fields, prefix) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined
    if isinstance(node, Not):
        return ~_q(node.expr, fields, prefix)
    if isinstance(node, ValuePath):
        return _q(node.val_filter, fields, prefix=f"{node.attr_path.attr}.")
    if isinstance(node, Present):
        field, _exact = _field(fields, node.attr_path, prefix)
        return Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})
    if isinstance(node, Comparison):
        field, case_exact = _field(fields, node.attr_path, prefix)
        value = node.value
        if field.endswith("pk"):
            value = resource_id(value)
            if value is None:
                return Q(pk__in=[])
            case_exact = True
        if node.op == CompareOperator.ne:
            lookup = "exact" if case_exact else "iexact"
            return ~Q(**{f"{field}__{lookup}": value})
        if node.op not in _LOOKUPS:
            raise InvalidFilterException(
                detail=_("The operator %(operator)s is not supported.")
                % {"operator": node.op.value}
            )
        lookup = _LOOKUPS[node.op]
        if not case_exact:
            lookup = "i" + lookup
        return Q(**{f"{field}__{lookup}": value})
    raise InvalidFilterException(detail=_("This filter is not supported."))


def _filtered(queryset: QuerySet, text: str | None, fields: dict) -> QuerySet:
    if not text:
        return queryset
    try:
        parsed = ScimFilter(text)
    except InvalidFilterException:
        raise
    except ValueError as error:
        raise InvalidFilterException(detail=str(error)) from error
    return queryset.filter(_q(parsed.ast, fields)).distinct()


def scim_user_list(*, organization: Organization, filter_text: str | None = None) -> QuerySet:
    users = ScimUser.objects.filter(organization=organization).select_related("employee")
    return _filtered(users, filter_text, USER_FIELDS).order_by("pk")


def scim_group_list(*, organization: Organization, filter_text: str | None = None) -> QuerySet:
    groups = ScimGroup.objects.filter(organization=organization).select_related("department")
    return _filtered(groups, filter_text, GROUP_FIELDS).order_by("pk")


def group_member_ids(*, organization: Organization, groups) -> dict[int, list[int]]:
    """Each group's provisioned members' ids, in one query for a page of groups."""
    members: dict[int, list[int]] = {group.pk: [] for group in groups}
    by_department = {group.department_id: group.pk for group in groups}
    for pk, department in ScimUser.objects.filter(
        organization=organization, employee__department__in=list(by_department)
    ).values_list("pk", "employee__department"):
        members[by_department[department]].append(pk)
    return members
