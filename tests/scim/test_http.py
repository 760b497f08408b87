"""/scim/v2/ as Okta and Microsoft Entra ID use it: provisioning people into the
directory, finding them, changing and deactivating them, departments as groups, and the
protocol's rules (ETags, pages, errors)."""

from datetime import date

import pytest
from django.utils import timezone

from directory.models import Employee
from organizations.models import Membership
from organizations.tenancy import tenant_context
from scim.models import ScimToken
from scim.tokens import scim_token_revoke
from tests.organizations.factories import DepartmentFactory, EmployeeFactory, MembershipFactory
from tests.scim.helpers import ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, Idp, okta_user, scim_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp(client, acme):
    return Idp(client, scim_token(acme))


def _employee(organization, **lookup) -> Employee:
    with tenant_context(organization=organization):
        return Employee.objects.select_related("department").get(**lookup)


def _error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


# --- Creating and finding people ------------------------------------------------------------


def test_an_okta_user_becomes_an_employee_of_the_directory(idp, acme):
    created = idp.create_user(**okta_user("ann.lee@acme.example", "Ann", "Lee"))

    employee = _employee(acme, email="ann.lee@acme.example")
    assert employee.name == "Ann Lee"
    assert employee.is_current
    assert created["userName"] == "ann.lee@acme.example"
    assert created["name"] == {"givenName": "Ann", "familyName": "Lee"}
    assert created["active"] is True
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    # The password Okta sends is not kept anywhere, nor shown.
    assert "password" not in created


def test_the_response_carries_the_scim_content_type_and_location(idp):
    response = idp.post("Users", okta_user("bo@acme.example", "Bo", "Ek"))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    assert response["Location"] == response.json()["meta"]["location"]
    assert response["ETag"] == response.json()["meta"]["version"]


def test_a_person_the_hr_file_made_first_is_taken_over_not_doubled(idp, acme):
    EmployeeFactory(organization=acme, employee_number="E7", email="cy@acme.example", name="Cy")

    created = idp.create_user(
        "cy@acme.example",
        emails=[{"value": "cy@acme.example", "primary": True}],
        displayName="Cy Young",
        title="Engineer",
        **{ENTERPRISE: {"employeeNumber": "E7"}},
    )

    with tenant_context(organization=acme):
        assert Employee.objects.filter(email="cy@acme.example").count() == 1
    employee = _employee(acme, employee_number="E7")
    assert (employee.name, employee.job_title) == ("Cy Young", "Engineer")
    assert created[ENTERPRISE] == {"employeeNumber": "E7"}


def test_filtering_by_user_name_ignores_case_and_finds_nobody_else(idp):
    ann = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))
    idp.create_user(**okta_user("bob@acme.example", "Bob", "Ray"))

    found = idp.get('Users?filter=userName eq "ANN@acme.example"').json()
    nobody = idp.get('Users?filter=userName eq "zoe@acme.example"').json()

    assert found["totalResults"] == 1
    assert [user["id"] for user in found["Resources"]] == [ann["id"]]
    assert nobody["totalResults"] == 0
    assert nobody["Resources"] == []


def test_filtering_by_external_id_as_entra_does(idp):
    idp.create_user("ann@acme.example", externalId="ann-object-id")
    bob = idp.create_user("bob@acme.example", externalId="bob-object-id")

    found = idp.get('Users?filter=externalId eq "bob-object-id"').json()

    assert [user["id"] for user in found["Resources"]] == [bob["id"]]


def test_a_filter_on_an_attribute_not_kept_is_refused_as_invalid_filter(idp):
    _error(idp.get('Users?filter=nickName eq "x"'), 400, "invalidFilter")
    _error(idp.get("Users?filter=userName eq"), 400, "invalidFilter")


def test_a_second_user_with_the_same_user_name_is_refused_as_not_unique(idp):
    idp.create_user("ann@acme.example")

    _error(idp.post("Users", {"schemas": [USER_SCHEMA], "userName": "Ann@acme.example"}), 409,
           "uniqueness")  # fmt: skip


def test_a_row_the_directory_refuses_is_refused_and_nothing_is_written(idp, acme):
    response = idp.post(
        "Users",
        {"schemas": [USER_SCHEMA], "userName": "x", "emails": [{"value": "not-an-address"}]},
    )

    body = _error(response, 400, "invalidValue")
    assert "not-an-address" in body["detail"]
    with tenant_context(organization=acme):
        assert not Employee.objects.exists()


# --- Changing and deactivating --------------------------------------------------------------


def test_okta_deactivates_with_a_replace_of_active(idp, acme):
    member = MembershipFactory(organization=acme, user__email="ann@acme.example")
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))

    response = idp.patch(f"Users/{user['id']}", [{"op": "replace", "value": {"active": False}}])

    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    employee = _employee(acme, email="ann@acme.example")
    assert employee.termination_date == timezone.localdate()
    assert employee.member_id == member.pk
    with tenant_context(organization=acme):
        assert Membership.objects.get(pk=member.pk).is_active is False


def test_entra_replaces_with_capitalised_ops_pathless_values_and_string_booleans(idp, acme):
    member = MembershipFactory(organization=acme, user__email="ann@acme.example")
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))

    response = idp.patch(
        f"Users/{user['id']}",
        [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "value": {"title": "Analyst", "name.familyName": "Lee-Park"}},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "al@acme.example"},
            # Held by Entra's mapping, not by Upturn: skipped, not refused.
            {"op": "Add", "path": 'phoneNumbers[type eq "work"].value', "value": "+1 555"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Ops"},
        ],
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["active"] is False
    assert body["title"] == "Analyst"
    assert body["name"]["familyName"] == "Lee-Park"
    assert body["emails"][0]["value"] == "al@acme.example"
    employee = _employee(acme, pk=_employee(acme, email="al@acme.example").pk)
    assert (employee.job_title, employee.is_current) == ("Analyst", False)
    with tenant_context(organization=acme):
        assert Membership.objects.get(pk=member.pk).is_active is False

    again = idp.patch(f"Users/{user['id']}", [{"op": "Replace", "path": "active", "value": "True"}])

    assert again.json()["active"] is True
    assert _employee(acme, email="al@acme.example").termination_date is None
    with tenant_context(organization=acme):
        assert Membership.objects.get(pk=member.pk).is_active is True


def test_deleting_a_user_keeps_the_person_in_the_directory_as_left(idp, acme):
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))

    assert idp.delete(f"Users/{user['id']}").status_code == 204

    _error(idp.get(f"Users/{user['id']}"), 404)
    employee = _employee(acme, email="ann@acme.example")
    assert employee.termination_date == timezone.localdate()


def test_a_date_the_hr_file_gave_for_leaving_is_kept(idp, acme):
    EmployeeFactory(organization=acme, email="ann@acme.example", termination_date=date(2020, 1, 31))
    user = idp.create_user("ann@acme.example", emails=[{"value": "ann@acme.example"}])
    assert "active" not in user  # not said: the directory's alone

    changed = idp.patch(
        f"Users/{user['id']}", [{"op": "replace", "path": "active", "value": False}]
    )

    assert changed.json()["active"] is False

    assert _employee(acme, email="ann@acme.example").termination_date == date(2020, 1, 31)


def test_put_replaces_the_person(idp, acme):
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))

    response = idp.put(
        f"Users/{user['id']}",
        {"schemas": [USER_SCHEMA], "userName": "ann@acme.example", "displayName": "Ann L."},
    )

    assert response.status_code == 200
    assert "emails" not in response.json()
    employee = _employee(acme, pk=_employee(acme, name="Ann L.").pk)
    assert employee.email == ""


# --- ETags ----------------------------------------------------------------------------------


def test_a_change_against_an_old_version_is_refused_with_412(idp, acme):
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))
    old = user["meta"]["version"]
    idp.patch(f"Users/{user['id']}", [{"op": "replace", "path": "title", "value": "Lead"}])

    stale = idp.patch(
        f"Users/{user['id']}",
        [{"op": "replace", "path": "title", "value": "Intern"}],
        HTTP_IF_MATCH=old,
    )

    _error(stale, 412)
    assert _employee(acme, email="ann@acme.example").job_title == "Lead"
    current = idp.get(f"Users/{user['id']}")
    fresh = idp.patch(
        f"Users/{user['id']}",
        [{"op": "replace", "path": "title", "value": "Intern"}],
        HTTP_IF_MATCH=current["ETag"],
    )
    assert fresh.status_code == 200
    assert idp.get(f"Users/{user['id']}", HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304


def test_the_version_changes_when_the_hr_file_changes_the_person(idp, acme):
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))
    with tenant_context(organization=acme):
        Employee.objects.filter(email="ann@acme.example").update(job_title="Director")

    assert idp.get(f"Users/{user['id']}").json()["meta"]["version"] != user["meta"]["version"]


# --- Pages ----------------------------------------------------------------------------------


def test_pages_follow_start_index_and_count(idp):
    ids = [idp.create_user(f"u{n}@acme.example")["id"] for n in range(5)]

    first = idp.get("Users?startIndex=1&count=2").json()
    last = idp.get("Users?startIndex=5&count=2").json()
    counted = idp.get("Users?count=0").json()

    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (5, 2, 1)
    assert [user["id"] for user in first["Resources"]] == ids[:2]
    assert [user["id"] for user in last["Resources"]] == ids[4:]
    assert (counted["totalResults"], counted["Resources"]) == (5, [])


def test_attributes_and_excluded_attributes_shape_the_response(idp):
    user = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))

    only = idp.get(f"Users/{user['id']}?attributes=userName").json()
    without = idp.get(f"Users/{user['id']}?excludedAttributes=emails").json()

    assert set(only) == {"schemas", "id", "userName"}
    assert "emails" not in without and without["displayName"] == "Ann Lee"


# --- Groups ---------------------------------------------------------------------------------


def test_a_group_is_a_department_and_its_members_are_its_people(idp, acme):
    ann = idp.create_user(**okta_user("ann@acme.example", "Ann", "Lee"))
    bob = idp.create_user(**okta_user("bob@acme.example", "Bob", "Ray"))

    sales = idp.post(
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "Sales", "members": [{"value": ann["id"]}]},
    ).json()
    assert _employee(acme, email="ann@acme.example").department.name == "Sales"

    # Entra adds and removes members one operation at a time.
    response = idp.patch(
        f"Groups/{sales['id']}",
        [
            {"op": "Add", "path": "members", "value": [{"value": bob["id"]}]},
            {"op": "Remove", "path": f'members[value eq "{ann["id"]}"]'},
        ],
    )

    assert response.status_code == 200, response.content
    assert [member["value"] for member in response.json()["members"]] == [bob["id"]]
    assert _employee(acme, email="bob@acme.example").department.name == "Sales"
    assert _employee(acme, email="ann@acme.example").department is None
    found = idp.get('Groups?filter=displayName eq "sales"').json()
    assert [group["id"] for group in found["Resources"]] == [sales["id"]]


def test_a_person_is_in_one_department_so_joining_another_group_moves_them(idp, acme):
    ann = idp.create_user("ann@acme.example")
    sales = idp.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Sales",
                                "members": [{"value": ann["id"]}]}).json()  # fmt: skip
    idp.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Ops",
                        "members": [{"value": ann["id"]}]})  # fmt: skip

    assert idp.get(f"Groups/{sales['id']}").json().get("members") is None


def test_renaming_and_deleting_a_group_keeps_the_hr_files_people(idp, acme):
    department = DepartmentFactory(organization=acme, name="Finance")
    EmployeeFactory(organization=acme, department=department, name="From the HR file")
    group = idp.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Finance"}).json()

    renamed = idp.patch(
        f"Groups/{group['id']}", [{"op": "Replace", "value": {"displayName": "Treasury"}}]
    )
    deleted = idp.delete(f"Groups/{group['id']}")

    assert renamed.json()["displayName"] == "Treasury"
    assert deleted.status_code == 204
    assert _employee(acme, name="From the HR file").department.name == "Treasury"
    _error(idp.get(f"Groups/{group['id']}"), 404)


def test_a_member_that_is_no_user_is_refused_and_nothing_changes(idp, acme):
    response = idp.post(
        "Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Sales", "members": [{"value": "999"}]}
    )

    _error(response, 400, "invalidValue")
    with tenant_context(organization=acme):
        from directory.models import Department

        assert not Department.objects.filter(name="Sales").exists()


# --- Tokens ---------------------------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_refused_with_401(client, acme):
    scim_token(acme)

    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer upturnscim_acme_guessed"},
                    {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"}):  # fmt: skip
        response = client.get("/scim/v2/Users", **headers)
        _error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_api_key_is_no_scim_token(client, acme):
    from tests.helpers import api_key_headers

    _error(client.get("/scim/v2/Users", **api_key_headers(acme, "admin")), 401)


def test_a_revoked_token_stops_working_at_once(client, acme):
    raw = scim_token(acme)
    idp = Idp(client, raw)
    assert idp.get("Users").status_code == 200
    with tenant_context(organization=acme):
        scim_token_revoke(organization=acme, actor=None, token=ScimToken.objects.get())

    _error(idp.get("Users"), 401)


def test_discovery_describes_what_is_kept(idp):
    config = idp.get("ServiceProviderConfig").json()
    types = idp.get("ResourceTypes").json()
    user_schema = idp.get(f"Schemas/{USER_SCHEMA}").json()

    assert config["patch"]["supported"] and config["etag"]["supported"]
    assert config["filter"]["supported"] and not config["bulk"]["supported"]
    assert {item["name"] for item in types["Resources"]} == {"User", "Group"}
    assert {attribute["name"] for attribute in user_schema["attributes"]} == {
        "userName", "name", "displayName", "title", "emails", "active"
    }  # fmt: skip
    _error(idp.get("Schemas/urn:nothing"), 404)
    _error(idp.get("Nothing/here"), 404)
    _error(idp.post(".search", {}), 501)


def test_an_id_that_is_no_number_of_ours_is_not_found(idp):
    for bad in ("²", "abc", "9" * 30, "-1"):
        _error(idp.get(f"Users/{bad}"), 404)
        _error(idp.get(f"Groups/{bad}"), 404)
    assert idp.get(f'Users?filter=id eq "{"9" * 30}"').json()["totalResults"] == 0
