"""SCIM's services and tokens, called directly: the directory's rules hold, tokens are
hashed at rest and audited, a refusal changes nothing."""

import pytest
from django.utils import timezone
from scim2_models import InvalidValueException, MutabilityException, UniquenessException

from directory.models import Department, Employee
from organizations.models import AuditAction, AuditEntry, Membership
from organizations.tenancy import tenant_context
from scim import services
from scim.models import ScimToken, ScimUser
from scim.schema import EnterpriseUser, Group, GroupMember, UserResource
from scim.tokens import (
    scim_token_create,
    scim_token_find,
    scim_token_hash,
    scim_token_organization_slug,
    scim_token_revoke,
)
from tests.organizations.factories import EmployeeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(acme):
    with tenant_context(organization=acme):
        token, _raw = scim_token_create(organization=acme, actor=None, name="Entra")
    return services.Caller(organization=acme, token=token, base_url="https://x.test/scim/v2")


def test_a_token_is_stored_only_as_its_hash_and_names_its_organisation(acme, acme_admin):
    with tenant_context(organization=acme):
        token, raw = scim_token_create(organization=acme, actor=acme_admin, name="Okta")
        stored = ScimToken.objects.filter(pk=token.pk).values()[0]

    assert raw.startswith("upturnscim_acme_")
    assert scim_token_organization_slug(raw) == "acme"
    assert raw not in str(stored)
    assert stored["token_hash"] == scim_token_hash(raw)


def test_making_and_revoking_a_token_is_audited_and_revoking_twice_once(acme, acme_admin):
    with tenant_context(organization=acme):
        token, raw = scim_token_create(organization=acme, actor=acme_admin, name="Okta")
        assert scim_token_find(organization=acme, raw=raw) == token
        scim_token_revoke(organization=acme, actor=acme_admin, token=token)
        scim_token_revoke(organization=acme, actor=acme_admin, token=token)
        actions = list(
            AuditEntry.objects.filter(target_type="scimtoken").values_list("action", "actor")
        )
        assert scim_token_find(organization=acme, raw=raw) is None

    assert sorted(actions) == sorted(
        [
            (AuditAction.SCIM_TOKEN_CREATED, acme_admin.pk),
            (AuditAction.SCIM_TOKEN_REVOKED, acme_admin.pk),
        ]
    )


def test_a_provisioned_person_is_written_through_the_directory_and_audited(acme, caller):
    wanted = UserResource(user_name="ann@acme.example", display_name="Ann Lee", title="Analyst")
    wanted[EnterpriseUser] = EnterpriseUser(employee_number="E42")

    with tenant_context(organization=acme):
        scim_user = services.user_create(caller=caller, wanted=wanted)
        employee = Employee.objects.get(pk=scim_user.employee_id)
        entry = AuditEntry.objects.get(action=AuditAction.DIRECTORY_IMPORTED)

    assert (employee.employee_number, employee.name, employee.job_title) == (
        "E42",
        "Ann Lee",
        "Analyst",
    )
    assert entry.details["via"] == "scim"
    assert entry.details["scim_token"] == "Entra"
    assert entry.details["created"] == 1


def test_a_person_with_no_employee_number_gets_one_the_provider_does_not_see(acme, caller):
    with tenant_context(organization=acme):
        scim_user = services.user_create(caller=caller, wanted=UserResource(user_name="bo"))
        shown = services.user_resource(scim_user, caller=caller)
        number = Employee.objects.get(pk=scim_user.employee_id).employee_number

    assert number.startswith("scim-")
    assert shown[EnterpriseUser] is None


def test_the_employee_number_the_provider_gives_later_renumbers_the_person(acme, caller):
    with tenant_context(organization=acme):
        scim_user = services.user_create(caller=caller, wanted=UserResource(user_name="bo"))
        services.user_patch(
            caller=caller,
            scim_user=scim_user,
            body={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {
                        "op": "add",
                        "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
                        "employeeNumber",
                        "value": "E900",
                    }
                ],
            },
        )

        assert Employee.objects.get(pk=scim_user.employee_id).employee_number == "E900"


def test_an_employee_number_of_someone_else_is_refused(acme, caller):
    EmployeeFactory(organization=acme, employee_number="E1")
    with tenant_context(organization=acme):
        scim_user = services.user_create(caller=caller, wanted=UserResource(user_name="bo"))
        wanted = services.user_resource(scim_user, caller=caller)
        wanted[EnterpriseUser] = EnterpriseUser(employee_number="E1")
        other = EmployeeFactory(organization=acme, employee_number="E2", email="e2@x.example")
        ScimUser.objects.create(organization=acme, employee=other, user_name="e2")

        with pytest.raises(UniquenessException):
            services.user_replace(caller=caller, scim_user=scim_user, wanted=wanted)
        with pytest.raises(UniquenessException):
            services.user_create(
                caller=caller,
                wanted=UserResource(user_name="another", **{"emails": [{"value": "e2@x.example"}]}),
            )


def test_deactivating_the_last_admin_is_refused_and_nothing_changes(acme, caller):
    admin = MembershipFactory(
        organization=acme, user__email="boss@acme.example", is_admin=True, is_participant=False
    )
    with tenant_context(organization=acme):
        scim_user = services.user_create(
            caller=caller,
            wanted=UserResource(user_name="boss", emails=[{"value": "boss@acme.example"}]),
        )
        wanted = services.user_resource(scim_user, caller=caller)
        wanted.active = False

        with pytest.raises(MutabilityException):
            services.user_replace(caller=caller, scim_user=scim_user, wanted=wanted)

        assert Membership.objects.get(pk=admin.pk).is_active
        assert Employee.objects.get(pk=scim_user.employee_id).termination_date is None


def test_a_left_person_provisioned_again_is_back(acme, caller):
    with tenant_context(organization=acme):
        scim_user = services.user_create(
            caller=caller, wanted=UserResource(user_name="bo", active=False)
        )
        assert Employee.objects.get(pk=scim_user.employee_id).termination_date == (
            timezone.localdate()
        )
        services.user_replace(
            caller=caller, scim_user=scim_user, wanted=UserResource(user_name="bo", active=True)
        )

        assert Employee.objects.get(pk=scim_user.employee_id).is_current


def test_a_group_of_another_department_name_is_refused_when_taken(acme, caller):
    with tenant_context(organization=acme):
        services.group_create(caller=caller, wanted=Group(display_name="Sales"))
        ops = services.group_create(caller=caller, wanted=Group(display_name="Ops"))

        with pytest.raises(UniquenessException):
            services.group_create(caller=caller, wanted=Group(display_name="Sales"))
        with pytest.raises(UniquenessException):
            services.group_replace(
                caller=caller, scim_group=ops, wanted=Group(display_name="Sales")
            )
        assert sorted(Department.objects.values_list("name", flat=True)) == ["Ops", "Sales"]


def test_an_empty_department_goes_with_its_group(acme, caller):
    with tenant_context(organization=acme):
        group = services.group_create(caller=caller, wanted=Group(display_name="Temp"))
        services.group_delete(caller=caller, scim_group=group)

        assert not Department.objects.filter(name="Temp").exists()
        assert AuditEntry.objects.filter(action=AuditAction.DEPARTMENT_DELETED).exists()


def test_a_group_cannot_hold_a_group(acme, caller):
    with tenant_context(organization=acme):
        sales = services.group_create(caller=caller, wanted=Group(display_name="Sales"))

        with pytest.raises(InvalidValueException):
            services.group_create(
                caller=caller,
                wanted=Group(
                    display_name="All", members=[GroupMember(value=str(sales.pk), type="Group")]
                ),
            )
        assert not Department.objects.filter(name="All").exists()
