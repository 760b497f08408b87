"""The resources Upturn serves over SCIM, as scim2-models (pydantic) models: what the
/Schemas, /ResourceTypes and /ServiceProviderConfig endpoints publish, and what parses
requests and writes responses.

Only the attributes Upturn keeps are declared, so the published schemas say exactly what
a provisioning client can rely on (RFC 7643 §7). Requests may carry more (an identity
provider sends what its mapping holds: phone numbers, addresses): those are ignored, not
refused, as Okta and Microsoft Entra expect.
"""

from typing import Annotated

from pydantic import ConfigDict, Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Returned,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_PAGE_SIZE = 200
# What each model ignores rather than refuses (see the module's docstring).
_LENIENT = ConfigDict(extra="ignore")


class Name(ComplexAttribute):
    model_config = _LENIENT

    formatted: str | None = None
    """The full name, formatted for display."""
    family_name: str | None = None
    """The family name."""
    given_name: str | None = None
    """The given name."""


class Email(ComplexAttribute):
    model_config = _LENIENT

    value: str | None = None
    """The email address: the directory entry's email."""
    type: str | None = None
    """A label for the address, e.g. work."""
    primary: bool | None = None
    """Whether this is the primary address."""


class EnterpriseUser(Extension):
    model_config = _LENIENT
    __schema__ = URN(ENTERPRISE_SCHEMA)

    employee_number: str | None = None
    """The employee number: the directory's key for the person (made up when not given)."""


class User(Resource[EnterpriseUser]):
    """A person of the employee directory."""

    model_config = _LENIENT
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    """The identity provider's unique name for the person."""
    name: Name | None = None
    """The person's name."""
    display_name: str | None = None
    """The name shown for the person."""
    title: str | None = None
    """The job title."""
    emails: list[Email] | None = None
    """The email address (one is kept: the primary one)."""
    active: bool | None = None
    """False: the person has left (the directory keeps them as left, the membership is
    deactivated)."""


class GroupMember(ComplexAttribute):
    model_config = _LENIENT

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of a user in the group."""
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The user's address."""
    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    """Always User: departments hold people, not other groups."""


class Group(Resource):
    """A department of the directory."""

    model_config = _LENIENT
    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    """The department's name."""
    members: list[GroupMember] | None = None
    """The people in the department."""


UserResource = User[EnterpriseUser]


def service_provider_config(*, documentation: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="The organisation's SCIM token, made by an admin under "
                "Settings → SCIM provisioning.",
                primary=True,
            )
        ],
    )


def schemas() -> list:
    return [User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()]


def resource_types() -> list[ResourceType]:
    return [ResourceType.from_resource(UserResource), ResourceType.from_resource(Group)]


__all__ = [
    "Group",
    "GroupMember",
    "Returned",
    "UserResource",
    "resource_types",
    "schemas",
    "service_provider_config",
]
