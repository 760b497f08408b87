"""SCIM writes: users onto the employee directory and memberships, groups onto
departments. Every change goes through the directory's own write paths
(``directory_rows_upsert`` checks and writes a person exactly as a row of an HR file,
``department_*`` for departments) and the membership services, so SCIM can do nothing
an HR file or an admin could not, by the same rules, audited the same way.

Each service takes the state the client wants (a resource parsed from a POST or PUT, or
the current resource with a PATCH applied: ``user_patch``) and makes the directory say
it, in one transaction: a refusal (a SCIM exception) changes nothing.
"""

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError
from scim2_models import (
    Context,
    InvalidValueException,
    Meta,
    MutabilityException,
    PatchOp,
    PreconditionFailedException,
    SCIMException,
    UniquenessException,
)

from accounts.models import normalize_email
from directory.models import Department, Employee
from directory.services import (
    department_create,
    department_delete_if_empty,
    department_rename,
    directory_rows_upsert,
    employee_renumber,
)
from organizations.models import Organization
from organizations.services import membership_deactivate, membership_reactivate
from scim.models import ScimGroup, ScimToken, ScimUser
from scim.schema import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Name,
    UserResource,
)


@dataclass(frozen=True)
class Caller:
    """Who is provisioning: the organisation, the token (named in the audit log) and the
    base URL resources are located under (``https://host/scim/v2``)."""

    organization: Organization
    token: ScimToken
    base_url: str

    @property
    def via(self) -> dict:
        return {"via": "scim", "scim_token": self.token.name}

    def location(self, kind: str, pk: int) -> str:
        return f"{self.base_url}/{kind}/{pk}"


def resource_id(value) -> int | None:
    """A resource id as the database holds it, or None for anything else (another
    script's digits, a number beyond the column): such an id names nothing."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


# --- Reading a resource ------------------------------------------------------------------


def _version(resource) -> str:
    """A weak ETag over everything the resource says, meta aside: it changes whenever
    the directory's side (an HR file) or SCIM's side of the person changes."""
    body = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    body.pop("meta", None)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return f'W/"{digest[:24]}"'


def _with_meta(resource, *, kind: str, caller: Caller, pk: int, created, modified):
    resource.meta = None
    version = _version(resource)
    resource.meta = Meta(
        resource_type=kind.removesuffix("s"),
        created=created,
        last_modified=modified,
        location=caller.location(kind, pk),
        version=version,
    )
    return resource


def user_resource(scim_user: ScimUser, *, caller: Caller) -> UserResource:
    """The person as SCIM shows them: SCIM's own attributes from the link, the rest read
    from the directory entry (select ``employee`` with it)."""
    employee = scim_user.employee
    name_parts = {
        "formatted": scim_user.formatted_name or None,
        "given_name": scim_user.given_name or None,
        "family_name": scim_user.family_name or None,
    }
    resource = UserResource(
        id=str(scim_user.pk),
        external_id=scim_user.external_id or None,
        user_name=scim_user.user_name,
        name=Name(**name_parts) if any(name_parts.values()) else None,
        display_name=scim_user.display_name or None,
        title=employee.job_title or None,
        emails=[
            Email(
                value=employee.email,
                type=scim_user.email_type or None,
                primary=scim_user.email_primary,
            )
        ]
        if employee.email
        else None,
        active=employee.is_current if scim_user.active_given else None,
    )
    if scim_user.employee_number_given:
        resource[EnterpriseUser] = EnterpriseUser(employee_number=employee.employee_number)
    return _with_meta(
        resource,
        kind="Users",
        caller=caller,
        pk=scim_user.pk,
        created=scim_user.created_at,
        modified=max(scim_user.updated_at, employee.updated_at),
    )


def group_resource(scim_group: ScimGroup, *, caller: Caller, members=None) -> Group:
    """The department as a group; ``members``: its provisioned people's link ids (read
    here when not given)."""
    if members is None:
        members = ScimUser.objects.filter(
            organization=caller.organization, employee__department=scim_group.department_id
        ).values_list("pk", flat=True)
    resource = Group(
        id=str(scim_group.pk),
        external_id=scim_group.external_id or None,
        display_name=scim_group.department.name,
        members=[
            GroupMember(value=str(pk), ref=caller.location("Users", pk), type="User")
            for pk in sorted(members)
        ]
        or None,
    )
    return _with_meta(
        resource,
        kind="Groups",
        caller=caller,
        pk=scim_group.pk,
        created=scim_group.created_at,
        modified=scim_group.updated_at,
    )


def check_version(resource, if_match: str | None) -> None:
    """Refuse a change made against another version of the resource (If-Match)."""
    if not if_match or if_match.strip() == "*":
        return
    wanted = {tag.strip() for tag in if_match.split(",")}
    version = resource.meta.version
    if version not in wanted and version.removeprefix("W/") not in wanted:
        raise PreconditionFailedException(
            detail=_("The resource changed since that version (If-Match); read it again.")
        )


# --- Parsing what the client sent --------------------------------------------------------


def invalid_value(error: PydanticValidationError) -> SCIMException:
    """The first problem of a request body as the SCIM error it stands for."""
    first = error.errors()[0]
    context = first.get("ctx") or {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "Operations")
    detail = f"{where}: {first['msg']}" if where else first["msg"]
    if context.get("scim_type") or context.get("status"):
        problem = InvalidValueException(detail=detail)
        problem.status = int(context.get("status") or 400)
        problem.scim_type = context.get("scim_type") or ""
        return problem
    return InvalidValueException(detail=detail)


def parse(model, body, *, context: Context):
    try:
        return model.model_validate(body, scim_ctx=context)
    except PydanticValidationError as error:
        raise invalid_value(error) from error


_KNOWN_PATCH_PATHS = {
    "User": {
        "id",
        "externalid",
        "username",
        "name",
        "displayname",
        "title",
        "emails",
        "active",
        "employeenumber",
        "schemas",
    },
    "Group": {"id", "externalid", "displayname", "members", "schemas"},
}


def _known_path(kind: str, path) -> bool:
    """Whether a PATCH path names an attribute Upturn keeps. The others (a phone number,
    an address, the enterprise extension's manager) are what the identity provider's
    mapping holds and Upturn does not: skipped, not refused, so that provisioning goes on."""
    if not isinstance(path, str) or not path:
        return True
    text = path
    for urn in ("urn:ietf:params:scim:schemas:core:2.0:User:",
                "urn:ietf:params:scim:schemas:core:2.0:Group:",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"):  # fmt: skip
        if text.lower().startswith(urn.lower()):
            text = text[len(urn) :]
            break
    else:
        if text.lower() == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user":
            return kind == "User"
        if text.lower().startswith("urn:"):
            return False
    head = text.split("[", 1)[0].split(".", 1)[0].lower()
    return head in _KNOWN_PATCH_PATHS[kind]


def apply_patch(resource, body, *, kind: str):
    """``resource`` with the PATCH request's operations applied, as Okta and Microsoft
    Entra send them (``"op": "Replace"``, path-less value objects, ``"False"``)."""
    if isinstance(body, dict) and isinstance(body.get("Operations"), list):
        operations = [
            operation
            for operation in body["Operations"]
            if not isinstance(operation, dict) or _known_path(kind, operation.get("path"))
        ]
        if not operations:
            return resource
        body = {**body, "Operations": operations}
    patch = parse(PatchOp[type(resource)], body, context=Context.RESOURCE_PATCH_REQUEST)
    try:
        patch.patch(resource)
    except PydanticValidationError as error:
        raise invalid_value(error) from error
    return resource


# --- Users ---------------------------------------------------------------------------------


def _primary_email(wanted: UserResource) -> Email | None:
    emails = [email for email in wanted.emails or [] if email.value]
    return next((email for email in emails if email.primary), emails[0] if emails else None)


def _person_name(wanted: UserResource) -> str:
    """The directory's one name field, from what SCIM splits in several."""
    name = wanted.name or Name()
    given = " ".join(part for part in (name.given_name, name.family_name) if part)
    return wanted.display_name or name.formatted or given or wanted.user_name or ""


def _new_employee_number(organization: Organization) -> str:
    while True:
        number = f"scim-{secrets.token_hex(5)}"
        if not Employee.objects.filter(organization=organization, employee_number=number).exists():
            return number


def _adoptable_employee(organization, *, number: str | None, email: str) -> Employee | None:
    """The directory entry a newly provisioned user is (an HR file may have made it
    first): the one with the employee number given, else with the email address."""
    employees = Employee.objects.filter(organization=organization)
    found = None
    if number:
        found = employees.filter(employee_number=number).first()
    if found is None and email:
        found = employees.filter(email=email).first()
    if found is not None and ScimUser.objects.filter(employee=found).exists():
        raise UniquenessException(
            detail=_("Another provisioned user already has this employee number or email address.")
        )
    return found


def _refusal(error: ValidationError) -> InvalidValueException:
    return InvalidValueException(detail=" ".join(error.messages))


def _write_user(*, caller: Caller, scim_user: ScimUser | None, wanted: UserResource) -> ScimUser:
    organization = caller.organization
    user_name = (wanted.user_name or "").strip()
    if not user_name:
        raise InvalidValueException(detail=_("userName is required."))
    if len(user_name) > 254:
        raise InvalidValueException(detail=_("userName: at most 254 characters."))
    others = ScimUser.objects.filter(organization=organization, user_name__iexact=user_name)
    if scim_user is not None:
        others = others.exclude(pk=scim_user.pk)
    if others.exists():
        raise UniquenessException(
            detail=_("Another user has the userName %(name)s.") % {"name": user_name}
        )
    extension = wanted[EnterpriseUser]
    number = (extension.employee_number or "").strip() if extension else ""
    email_entry = _primary_email(wanted)
    email = normalize_email(email_entry.value) if email_entry else ""
    employee = (
        scim_user.employee
        if scim_user is not None
        else _adoptable_employee(organization, number=number, email=email)
    )
    if email and (
        Employee.objects.filter(organization=organization, email=email)
        .exclude(pk=employee.pk if employee else None)
        .exists()
    ):
        raise UniquenessException(
            detail=_("Another person of the directory has %(email)s.") % {"email": email}
        )
    if employee is not None and number and number != employee.employee_number:
        try:
            employee_renumber(
                organization=organization, employee=employee, number=number, via=caller.via
            )
        except ValidationError as error:
            raise UniquenessException(detail=" ".join(error.messages)) from error
    number = employee.employee_number if employee is not None else (number or "")
    number = number or _new_employee_number(organization)
    row = {
        "employee_number": number,
        "name": _person_name(wanted),
        "email": email,
        "job_title": wanted.title or "",
    }
    # Not said (or removed): whether the person has left stays as the directory has it.
    active = wanted.active
    is_current = employee.is_current if employee is not None else True
    if active is True and not is_current:
        row["termination_date"] = ""
    elif active is False and is_current:
        # Left today; a date the HR file gave already is kept.
        row["termination_date"] = timezone.localdate().isoformat()
    outcome = directory_rows_upsert(
        organization=organization,
        rows=[(1, row)],
        valid_rows_only=False,
        via=caller.via,
    )
    if not outcome.applied:
        raise InvalidValueException(
            detail=" ".join(rejection["message"] for rejection in outcome.rejections)
        )
    employee = Employee.objects.get(organization=organization, employee_number=number)
    scim_user = scim_user or ScimUser(organization=organization, employee=employee)
    name = wanted.name or Name()
    scim_user.user_name = user_name
    scim_user.external_id = wanted.external_id or ""
    scim_user.display_name = (wanted.display_name or "")[:200]
    scim_user.formatted_name = (name.formatted or "")[:200]
    scim_user.given_name = (name.given_name or "")[:100]
    scim_user.family_name = (name.family_name or "")[:100]
    scim_user.email_type = (email_entry.type or "")[:64] if email_entry else ""
    scim_user.email_primary = email_entry.primary if email_entry else None
    scim_user.employee_number_given = bool(extension and extension.employee_number)
    scim_user.active_given = wanted.active is not None
    scim_user.save()
    if active is not None:
        _membership_follows(caller=caller, employee=employee, active=active)
    return scim_user


def _membership_follows(*, caller: Caller, employee: Employee, active: bool) -> None:
    """The person's membership, if they have one, is active exactly while they have not
    left: a deactivated person can no longer reach the organisation."""
    member = employee.member
    if member is None or member.is_active == active:
        return
    action = membership_reactivate if active else membership_deactivate
    try:
        action(organization=caller.organization, actor=None, membership=member)
    except ValidationError as error:  # e.g. the organisation's last admin
        raise MutabilityException(detail=" ".join(error.messages)) from error


def user_get(*, caller: Caller, pk) -> ScimUser | None:
    if (pk := resource_id(pk)) is None:
        return None
    return (
        ScimUser.objects.filter(organization=caller.organization, pk=pk)
        .select_related("employee")
        .first()
    )


@transaction.atomic
def user_create(*, caller: Caller, wanted: UserResource) -> ScimUser:
    return _write_user(caller=caller, scim_user=None, wanted=wanted)


@transaction.atomic
def user_replace(*, caller: Caller, scim_user: ScimUser, wanted: UserResource) -> ScimUser:
    return _write_user(caller=caller, scim_user=scim_user, wanted=wanted)


@transaction.atomic
def user_patch(*, caller: Caller, scim_user: ScimUser, body, if_match=None) -> ScimUser:
    current = user_resource(scim_user, caller=caller)
    check_version(current, if_match)
    wanted = apply_patch(current, body, kind="User")
    return _write_user(caller=caller, scim_user=scim_user, wanted=wanted)


@transaction.atomic
def user_delete(*, caller: Caller, scim_user: ScimUser) -> None:
    """The identity provider is done with the person: the directory keeps them, as left
    (from today, unless the HR file says when), and their membership is deactivated; the
    SCIM link goes, so the user is no longer found (a new POST provisions them again)."""
    current = user_resource(scim_user, caller=caller)
    current.active = False
    _write_user(caller=caller, scim_user=scim_user, wanted=current)
    scim_user.delete()


# --- Groups --------------------------------------------------------------------------------


def group_get(*, caller: Caller, pk) -> ScimGroup | None:
    if (pk := resource_id(pk)) is None:
        return None
    return (
        ScimGroup.objects.filter(organization=caller.organization, pk=pk)
        .select_related("department")
        .first()
    )


def _member_links(caller: Caller, wanted: Group) -> list[ScimUser]:
    ids = []
    for member in wanted.members or []:
        if member.type not in (None, "User"):
            raise InvalidValueException(
                detail=_("A department holds people: a group cannot be a member of another.")
            )
        if (pk := resource_id(member.value)) is None:
            raise InvalidValueException(
                detail=_("No user has the id %(id)s.") % {"id": member.value}
            )
        ids.append(pk)
    found = list(
        ScimUser.objects.filter(organization=caller.organization, pk__in=ids).select_related(
            "employee"
        )
    )
    if missing := set(ids) - {link.pk for link in found}:
        raise InvalidValueException(
            detail=_("No user has the id %(id)s.")
            % {"id": ", ".join(str(pk) for pk in sorted(missing))}
        )
    return found


def _move_people(*, caller: Caller, department: Department, wanted: list[ScimUser]) -> None:
    """The department's provisioned people become exactly ``wanted``: those who join move
    from their department (a person is in one), those who leave are in none. People the
    identity provider did not provision stay where the HR file put them."""
    organization = caller.organization
    current = ScimUser.objects.filter(
        organization=organization, employee__department=department
    ).select_related("employee")
    wanted_ids = {link.pk for link in wanted}
    rows = [
        {"employee_number": link.employee.employee_number, "name": link.employee.name,
         "department": ""}
        for link in current
        if link.pk not in wanted_ids
    ] + [
        {"employee_number": link.employee.employee_number, "name": link.employee.name,
         "department": department.name}
        for link in wanted
        if link.employee.department_id != department.pk
    ]  # fmt: skip
    if not rows:
        return
    outcome = directory_rows_upsert(
        organization=organization,
        rows=list(enumerate(rows, start=1)),
        valid_rows_only=False,
        via=caller.via,
    )
    if not outcome.applied:
        raise InvalidValueException(
            detail=" ".join(rejection["message"] for rejection in outcome.rejections)
        )


def _write_group(*, caller: Caller, scim_group: ScimGroup | None, wanted: Group) -> ScimGroup:
    organization = caller.organization
    name = (wanted.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail=_("displayName is required."))
    members = _member_links(caller, wanted)
    try:
        if scim_group is None:
            department = Department.objects.filter(organization=organization, name=name).first()
            if department is not None and ScimGroup.objects.filter(department=department).exists():
                raise UniquenessException(
                    detail=_("A group is already named %(name)s.") % {"name": name}
                )
            if department is None:
                department = department_create(
                    organization=organization, actor=None, name=name, via=caller.via
                )
            scim_group = ScimGroup(organization=organization, department=department)
        else:
            department = department_rename(
                organization=organization,
                actor=None,
                department=scim_group.department,
                name=name,
                via=caller.via,
            )
    except ValidationError as error:
        raise UniquenessException(detail=" ".join(error.messages)) from error
    scim_group.external_id = wanted.external_id or ""
    scim_group.save()
    _move_people(caller=caller, department=department, wanted=members)
    return scim_group


@transaction.atomic
def group_create(*, caller: Caller, wanted: Group) -> ScimGroup:
    return _write_group(caller=caller, scim_group=None, wanted=wanted)


@transaction.atomic
def group_replace(*, caller: Caller, scim_group: ScimGroup, wanted: Group) -> ScimGroup:
    return _write_group(caller=caller, scim_group=scim_group, wanted=wanted)


@transaction.atomic
def group_patch(*, caller: Caller, scim_group: ScimGroup, body, if_match=None) -> ScimGroup:
    current = group_resource(scim_group, caller=caller)
    check_version(current, if_match)
    wanted = apply_patch(current, body, kind="Group")
    return _write_group(caller=caller, scim_group=scim_group, wanted=wanted)


@transaction.atomic
def group_delete(*, caller: Caller, scim_group: ScimGroup) -> None:
    """The group goes; its department too if nobody is in it (the HR roster's structure
    is not dropped on the identity provider's say) and its provisioned people leave it."""
    department = scim_group.department
    _move_people(caller=caller, department=department, wanted=[])
    scim_group.delete()
    department_delete_if_empty(
        organization=caller.organization, actor=None, department=department, via=caller.via
    )
