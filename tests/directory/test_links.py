"""One person, two records (directory.links): an employee and a membership are linked by
email once, when either appears, and stay linked whatever either address becomes."""

import importlib

import pytest
from django.apps import apps as installed_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.demographics import employee_for_user
from directory.importing import apply_plan, plan_import
from directory.links import employees_link_members, members_by_employee
from directory.models import Employee
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program
from programs.selectors import participations_of
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _employee(organization, number: str, email: str, **fields) -> Employee:
    with tenant_context(organization=organization):
        return Employee.objects.create(
            organization=organization,
            employee_number=number,
            name=f"Person {number}",
            email=email,
            **fields,
        )


def _member(organization, email: str):
    return MembershipFactory(organization=organization, user=UserFactory(email=email))


def _linked(employee: Employee):
    with tenant_context(organization=employee.organization):
        return Employee.objects.get(pk=employee.pk).member


def test_a_new_member_is_linked_to_the_employee_with_their_address(acme):
    employee = _employee(acme, "E1", "Ann.Lee@Acme.example")
    member = _member(acme, "ann.lee@acme.example")

    assert _linked(employee) == member


def test_a_new_employee_is_linked_to_the_member_with_their_address(acme):
    member = _member(acme, "bo@acme.example")
    employee = _employee(acme, "E2", "BO@acme.example")

    assert employee.member_id == member.pk  # the saved instance carries it, too
    assert _linked(employee) == member


def test_an_employee_of_another_organisation_is_never_linked(acme, globex):
    employee = _employee(globex, "E3", "cy@acme.example")
    _member(acme, "cy@acme.example")

    assert _linked(employee) is None


def test_changing_either_address_keeps_the_link_and_the_persons_places(acme):
    employee = _employee(acme, "E4", "dee@acme.example")
    member = _member(acme, "dee@acme.example")
    with tenant_context(organization=acme):
        program = Program.objects.create(
            organization=acme, name="Reverse", start_date="2026-01-01", end_date="2026-12-31"
        )
        cohort = Cohort.objects.create(
            organization=acme,
            program=program,
            name="Spring",
            start_date="2026-01-05",
            end_date="2026-07-05",
        )
        place = Participant.objects.create(
            organization=acme,
            program=program,
            cohort=cohort,
            employee=employee,
            role=Participant.Role.MENTOR,
        )

    member.user.email = "dee.new@acme.example"
    member.user.save()
    member.user.refresh_from_db()
    with tenant_context(organization=acme):
        Employee.objects.filter(pk=employee.pk).update(email="dee.other@acme.example")
        # Someone else now holds the old address: they get no link to Dee's records.
        stranger = _employee(acme, "E5", "dee@acme.example")

        assert list(participations_of(organization=acme, user=member.user)) == [place]
        assert employee_for_user(organization=acme, user=member.user) == employee
    assert _linked(stranger) is None


def test_two_employees_with_one_address_in_different_case_link_only_the_first(acme):
    member = _member(acme, "eve@acme.example")
    first = _employee(acme, "E6", "eve@acme.example")
    with tenant_context(organization=acme):
        # Uniqueness of addresses is case-sensitive in the roster: a second is possible.
        second = Employee.objects.create(
            organization=acme, employee_number="E7", name="Eve Two", email="EVE@acme.example"
        )
        assert employees_link_members(organization=acme) == 0

    assert _linked(first) == member
    assert _linked(second) is None


def test_the_import_links_the_people_it_creates_and_keeps_links_through_email_changes(acme):
    member = _member(acme, "fay@acme.example")
    kept = _member(acme, "gus@acme.example")
    gus = _employee(acme, "G1", "gus@acme.example")
    rows = [
        {"employee_number": "F1", "name": "Fay", "email": "FAY@acme.example"},
        {"employee_number": "G1", "name": "Gus", "email": "gus.renamed@acme.example"},
    ]
    with tenant_context(organization=acme):
        plan = plan_import(organization=acme, rows=enumerate(rows, start=1))
        apply_plan(organization=acme, plan=plan, valid_rows_only=False)
        fay = Employee.objects.get(employee_number="F1")

    assert _linked(fay) == member
    assert _linked(gus) == kept


def test_members_by_employee_gives_active_members_only_in_one_query(acme):
    active = _employee(acme, "H1", "hal@acme.example")
    gone = _employee(acme, "H2", "ida@acme.example")
    hal = _member(acme, "hal@acme.example")
    ida = _member(acme, "ida@acme.example")
    with tenant_context(organization=acme):
        ida.is_active = False
        ida.save()
    with tenant_context(organization=acme), CaptureQueriesContext(connection) as queries:
        members = members_by_employee(acme)
        emails = {pk: m.user.email for pk, m in members.items()}

    assert members == {active.pk: hal}
    assert gone.pk not in members
    assert emails == {active.pk: "hal@acme.example"}
    assert len(queries) == 1


def test_the_migration_links_existing_records_by_email_once(acme):
    migration = importlib.import_module("directory.migrations.0002_employee_member_link")
    employee = _employee(acme, "J1", "jo@acme.example")
    member = _member(acme, "JO@acme.example")
    with tenant_context(organization=acme):
        Employee.objects.filter(pk=employee.pk).update(member=None)
        twin = Employee.objects.create(
            organization=acme, employee_number="J2", name="Jo Two", email="Jo@acme.example"
        )
        Employee.objects.filter(pk=twin.pk).update(member=None)

        migration.link_by_email(installed_apps, None)

    assert _linked(employee) == member
    assert _linked(twin) is None
