from datetime import timedelta

import pytest
from django.utils import timezone

from directory.models import Department, Employee
from organizations.api.auth import ApiKeyThrottle
from organizations.api_keys import api_key_create
from organizations.models import ApiKey, AuditAction, AuditEntry
from organizations.roles import Role
from organizations.tenancy import tenant_context
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _key(organization, *roles, **kwargs) -> str:
    with tenant_context(organization=organization):
        _, raw = api_key_create(
            organization=organization, actor=None, name="test", roles=set(roles), **kwargs
        )
    return raw


def _auth(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def roster(acme, globex):
    with tenant_context(organization=acme):
        boss = Employee.objects.create(
            organization=acme, employee_number="1", name="Ana Boss", job_level=9
        )
        Employee.objects.create(
            organization=acme, employee_number="2", name="Ben Junior", job_level=2, manager=boss
        )
    with tenant_context(organization=globex):
        Employee.objects.create(organization=globex, employee_number="1", name="Gil Globex")


def test_no_key_is_401_in_the_one_error_shape(client):
    response = client.get("/api/v1/employees/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "raw",
    ["upturn_acme_wrong-secret", "upturn_nowhere_secret", "not-even-a-key", "upturn_acme"],
)
def test_a_key_that_is_not_valid_is_401(client, acme, raw):
    response = client.get("/api/v1/employees/", **_auth(raw))

    assert response.status_code == 401
    assert "not valid" in response.json()["error"]["message"]


def test_revoked_and_expired_keys_stop_working(client, acme):
    expired = _key(acme, Role.ADMIN, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = _key(acme, Role.ADMIN)
    with tenant_context(organization=acme):
        ApiKey.objects.filter(name="test", expires_at__isnull=True).update(
            revoked_at=timezone.now()
        )

    assert client.get("/api/v1/employees/", **_auth(expired)).status_code == 401
    assert client.get("/api/v1/employees/", **_auth(revoked)).status_code == 401


def test_a_key_may_do_what_its_roles_may(client, acme, roster):
    executive = _key(acme, Role.EXECUTIVE)
    manager = _key(acme, Role.PROGRAM_MANAGER)

    assert client.get("/api/v1/employees/", **_auth(executive)).status_code == 403
    assert client.get("/api/v1/employees/", **_auth(manager)).status_code == 200
    refused = client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": [{"employee_number": "9", "name": "X"}]},
        content_type="application/json",
        **_auth(manager),
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_the_directory_lists_only_the_keys_organisation_filtered_and_paginated(
    client, acme, roster
):
    raw = _key(acme, Role.ADMIN)

    everything = client.get("/api/v1/employees/", **_auth(raw)).json()
    juniors = client.get("/api/v1/employees/", {"level": 2}, **_auth(raw)).json()
    paged = client.get("/api/v1/employees/", {"page_size": 1}, **_auth(raw)).json()

    assert [e["name"] for e in everything["results"]] == ["Ana Boss", "Ben Junior"]
    assert [e["manager_employee_number"] for e in everything["results"]] == ["", "1"]
    assert [e["name"] for e in juniors["results"]] == ["Ben Junior"]
    assert paged["count"] == 2 and paged["next"] and len(paged["results"]) == 1


def test_changed_since_takes_any_iso_offset_and_refuses_moments_out_of_range(client, acme, roster):
    raw = _key(acme, Role.ADMIN)

    far_offset = client.get(
        "/api/v1/employees/", {"updated_since": "0102-03-02T21:30:18-17:15"}, **_auth(raw)
    )
    out_of_range = client.get(
        "/api/v1/employees/", {"updated_since": "0001-01-01T00:00:00+05:00"}, **_auth(raw)
    )

    assert far_offset.status_code == 200 and far_offset.json()["count"] == 2
    assert out_of_range.status_code == 400
    assert out_of_range.json()["error"]["details"] == {
        "updated_since": "This moment is out of range."
    }


def test_bulk_upsert_shares_the_imports_checks_and_is_all_or_nothing(client, acme, roster):
    raw = _key(acme, Role.ADMIN)
    rows = [
        {
            "employee_number": "2",
            "name": "Ben Junior",
            "job_level": 3,
            "manager_employee_number": "1",
        },
        {"employee_number": "3", "name": "Cy New", "manager_employee_number": "99"},
    ]

    refused = client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": rows},
        content_type="application/json",
        **_auth(raw),
    )
    applied = client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": rows, "valid_rows_only": True},
        content_type="application/json",
        **_auth(raw),
    )

    assert refused.status_code == 409
    assert refused.json()["rejections"] == [
        {
            "row": 2,
            "column": "manager_employee_number",
            "message": "No employee has the number 99, in the file or the directory.",
        }
    ]
    assert applied.status_code == 200
    assert applied.json() | {"rejections": []} == {
        "applied": True,
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "rejected": 1,
        "divisions_changed": 0,
        "rejections": [],
    }
    with tenant_context(organization=acme):
        assert Employee.objects.get(employee_number="2").job_level == 3
        assert not Employee.objects.filter(employee_number="3").exists()
        entry = AuditEntry.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert entry.details["api_key"] == "test"


def test_bulk_upsert_with_a_malformed_body_names_the_field(client, acme):
    raw = _key(acme, Role.ADMIN)

    response = client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": [{"name": "No number"}]},
        content_type="application/json",
        **_auth(raw),
    )

    assert response.status_code == 400
    assert "employee_number" in str(response.json()["error"]["details"]["rows"])


def test_members_are_listed_with_their_roles(client, acme, acme_admin):
    MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    raw = _key(acme, Role.ADMIN)

    members = client.get("/api/v1/members/", **_auth(raw)).json()["results"]

    assert sorted(tuple(m["roles"]) for m in members) == [("admin",), ("executive",)]


def test_each_key_is_throttled_on_its_own(client, acme, monkeypatch):
    monkeypatch.setattr(ApiKeyThrottle, "THROTTLE_RATES", {"api_key": "2/minute"})
    first, second = _key(acme, Role.ADMIN), _key(acme, Role.ADMIN)

    statuses = [client.get("/api/v1/departments/", **_auth(first)).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/departments/", **_auth(second)).status_code == 200


def test_using_a_key_records_when(client, acme):
    raw = _key(acme, Role.ADMIN)

    client.get("/api/v1/departments/", **_auth(raw))

    with tenant_context(organization=acme):
        assert ApiKey.objects.get().last_used_at is not None


def test_schema_and_documentation_need_no_key(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/v1/docs/").content.decode()

    assert schema.status_code == 200
    assert "/api/v1/employees/bulk-upsert/" in schema.json()["paths"]
    assert 'class="site-header"' in docs
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs


def test_admin_makes_a_key_sees_it_once_and_revokes_it(client, acme, acme_admin):
    client.force_login(acme_admin)

    page = client.post(
        "/o/acme/api-keys/", {"name": "HR sync", "roles": ["admin"]}
    ).content.decode()
    raw = page.split('id="new-key">')[1].split("<")[0]

    assert raw.startswith("upturn_acme_")
    assert client.get("/api/v1/departments/", **_auth(raw)).status_code == 200
    assert raw not in client.get("/o/acme/api-keys/").content.decode()
    with tenant_context(organization=acme):
        key = ApiKey.objects.get(name="HR sync")
    client.post(f"/o/acme/api-keys/{key.pk}/revoke/")
    assert client.get("/api/v1/departments/", **_auth(raw)).status_code == 401
    with tenant_context(organization=acme):
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.API_KEY_CREATED, AuditAction.API_KEY_REVOKED} <= actions


def test_a_field_left_out_of_an_api_row_is_kept(client, acme, roster):
    raw = _key(acme, Role.ADMIN)

    client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": [{"employee_number": "2", "name": "Ben Junior", "job_title": "Analyst"}]},
        content_type="application/json",
        **_auth(raw),
    )

    with tenant_context(organization=acme):
        ben = Employee.objects.select_related("manager").get(employee_number="2")
    assert (ben.job_title, ben.job_level, ben.manager.employee_number) == ("Analyst", 2, "1")


def test_an_organisation_address_cannot_hold_an_underscore(acme):
    from django.core.exceptions import ValidationError

    acme.slug = "acme_eu"
    with pytest.raises(ValidationError, match="single hyphens"):
        acme.full_clean()


def test_guessing_keys_is_slowed_down_per_address(client, acme, monkeypatch):
    from organizations import middleware

    monkeypatch.setattr(middleware, "REJECTED_KEYS_PER_MINUTE", 3)
    statuses = [
        client.get("/api/v1/departments/", **_auth(f"upturn_acme_guess-{n}")).status_code
        for n in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    assert (
        client.get("/api/v1/departments/", **_auth("upturn_acme_x")).json()["error"]["code"]
        == "throttled"
    )


# --- Divisions -----------------------------------------------------------------------------


def _upsert(client, raw, rows, **extra):
    return client.post(
        "/api/v1/employees/bulk-upsert/",
        {"rows": rows},
        content_type="application/json",
        **_auth(raw),
        **extra,
    )


def test_bulk_upsert_sets_divisions_and_the_api_reads_and_filters_by_them(client, acme, roster):
    raw = _key(acme, Role.ADMIN)

    result = _upsert(
        client,
        raw,
        [
            {"employee_number": "1", "name": "Ana Boss", "department": "Board", "division": ""},
            {"employee_number": "2", "name": "Ben Junior", "department": "Platform",
             "division": "Technology"},
            {"employee_number": "3", "name": "Cy Data", "department": "Data",
             "division": "Technology"},
        ],
    ).json()  # fmt: skip
    employees = client.get("/api/v1/employees/", {"department": "Technology"}, **_auth(raw))
    departments = client.get("/api/v1/departments/", {"division": "technology"}, **_auth(raw))

    assert result["divisions_changed"] == 2
    assert {(e["name"], e["department"], e["division"]) for e in employees.json()["results"]} == {
        ("Ben Junior", "Platform", "Technology"),
        ("Cy Data", "Data", "Technology"),
    }
    assert [(d["name"], d["division"]) for d in departments.json()["results"]] == [
        ("Data", "Technology"),
        ("Platform", "Technology"),
    ]


def test_bulk_upsert_refuses_a_division_loop_naming_row_and_column(client, acme, roster):
    raw = _key(acme, Role.ADMIN)

    refused = _upsert(
        client,
        raw,
        [{"employee_number": "2", "name": "Ben Junior", "department": "Platform",
          "division": "Platform"}],
    )  # fmt: skip

    assert refused.status_code == 409
    assert refused.json()["rejections"] == [
        {"row": 1, "column": "division", "message": "A department cannot be its own division."}
    ]


# --- Filtering everywhere -------------------------------------------------------------------


def test_departments_filter_by_name_and_division(client, acme, roster):
    raw = _key(acme, Role.ADMIN)
    _upsert(
        client,
        raw,
        [{"employee_number": "2", "name": "Ben Junior", "department": "Platform",
          "division": "Technology"}],
    )  # fmt: skip
    with tenant_context(organization=acme):
        technology = Department.objects.get(name="Technology")

    by_name = client.get("/api/v1/departments/", {"name": "platform"}, **_auth(raw)).json()
    by_parent = client.get("/api/v1/departments/", {"parent": technology.pk}, **_auth(raw)).json()
    not_a_number = client.get("/api/v1/departments/", {"parent": "1.5"}, **_auth(raw))

    assert [d["name"] for d in by_name["results"]] == ["Platform"]
    assert [d["name"] for d in by_parent["results"]] == ["Platform"]
    assert not_a_number.status_code == 400


def test_members_filter_by_role_activity_and_email(client, acme, acme_admin):
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    gone = MembershipFactory(organization=acme, is_participant=True, is_active=False)
    raw = _key(acme, Role.ADMIN)

    def emails(**params):
        response = client.get("/api/v1/members/", params, **_auth(raw))
        assert response.status_code == 200, response.json()
        return {m["email"] for m in response.json()["results"]}

    assert emails(role="executive") == {executive.user.email}
    assert emails(is_active="false") == {gone.user.email}
    assert emails(email=acme_admin.email.upper()) == {acme_admin.email}
    assert emails(q=gone.user.email.split("@")[0]) == {gone.user.email}
    assert client.get("/api/v1/members/", {"role": "king"}, **_auth(raw)).status_code == 400


# --- The browser session, for the app's own pages -------------------------------------------


def _as_member(client, user, slug="acme"):
    client.force_login(user)
    return {"HTTP_X_ORGANIZATION": slug}


def test_a_signed_in_member_reads_their_organisations_directory_with_the_header(
    client, acme, acme_admin, roster
):
    response = client.get("/api/v1/employees/", **_as_member(client, acme_admin))

    assert response.status_code == 200
    assert [e["name"] for e in response.json()["results"]] == ["Ana Boss", "Ben Junior"]


def test_another_organisations_address_is_404_for_a_member(client, acme, globex, acme_admin):
    response = client.get("/api/v1/employees/", **_as_member(client, acme_admin, "globex"))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_deactivated_member_gets_404(client, acme):
    gone = MembershipFactory(organization=acme, is_admin=True, is_active=False).user

    assert client.get("/api/v1/employees/", **_as_member(client, gone)).status_code == 404


def test_without_the_header_a_member_is_told_to_name_the_organisation(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.get("/api/v1/employees/")

    assert response.status_code == 403
    assert "X-Organization" in response.json()["error"]["message"]


def test_a_members_unsafe_request_needs_the_csrf_token(acme, acme_admin, roster):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    headers = _as_member(client, acme_admin)
    row = {"rows": [{"employee_number": "9", "name": "New Person"}]}

    refused = client.post(
        "/api/v1/employees/bulk-upsert/", row, content_type="application/json", **headers
    )
    client.get("/o/acme/")  # a page of the app sets the CSRF cookie, as for the browser
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/employees/bulk-upsert/",
        row,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        **headers,
    )

    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert accepted.status_code == 200, accepted.json()
    with tenant_context(organization=acme):
        entry = AuditEntry.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
        assert Employee.objects.filter(employee_number="9").exists()
    assert entry.actor == acme_admin


def test_a_members_roles_decide_through_the_permission_table(client, acme, roster):
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False).user
    manager = MembershipFactory(organization=acme, is_program_manager=True).user

    refused = client.get("/api/v1/employees/", **_as_member(client, executive))
    allowed = client.get("/api/v1/employees/", **_as_member(client, manager))
    members = client.get("/api/v1/members/", **_as_member(client, manager))

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert allowed.status_code == 200
    assert members.status_code == 403


def test_a_member_who_must_set_up_two_factor_is_refused(client, acme, acme_admin):
    from organizations.models import Organization

    Organization.objects.filter(pk=acme.pk).update(require_mfa_for_staff=True)

    response = client.get("/api/v1/employees/", **_as_member(client, acme_admin))

    assert response.status_code == 403
    assert "two-factor" in response.json()["error"]["message"]


def test_an_idle_member_is_signed_out_by_the_api_too(client, acme, acme_admin):
    import time

    from organizations.middleware import LAST_SEEN_SESSION_KEY
    from organizations.models import Organization

    Organization.objects.filter(pk=acme.pk).update(session_idle_minutes=30)
    headers = _as_member(client, acme_admin)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 31 * 60
    session.save()

    response = client.get("/api/v1/employees/", **headers)

    assert response.status_code == 401
    assert "_auth_user_id" not in client.session


def test_the_schema_documents_the_session_and_its_organisation_header(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["organizationHeader"] == schemes["organizationHeader"] | {
        "type": "apiKey",
        "in": "header",
        "name": "X-Organization",
    }
    security = schema["paths"]["/api/v1/employees/"]["get"]["security"]
    assert {"memberSession": [], "organizationHeader": []} in security
    assert {"apiKey": []} in security


def test_a_key_expiring_in_year_9999_is_refused_by_the_form_and_the_service(
    client, acme, acme_admin
):
    from datetime import UTC, datetime

    from django.core.exceptions import ValidationError

    client.force_login(acme_admin)

    page = client.post(
        "/o/acme/api-keys/",
        {"name": "Forever", "roles": ["admin"], "expires_at": "9999-12-31"},
    ).content.decode()

    assert "The expiry date must be from" in page
    with tenant_context(organization=acme):
        assert not ApiKey.objects.filter(name="Forever").exists()
        with pytest.raises(ValidationError, match="The expiry date must be from"):
            api_key_create(
                organization=acme,
                actor=acme_admin,
                name="Forever",
                roles={Role.ADMIN},
                expires_at=datetime(9999, 12, 30, tzinfo=UTC),
            )
