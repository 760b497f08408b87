import pytest

from directory.models import Department, Employee
from directory.selectors import employee_reporting_line
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "mentor", "mentee", "exec"]


def test_every_demo_login_signs_in_with_the_demo_password(client, demo_module):

    for org in ("acme", "globex"):
        for role in ROLES:
            client.logout()
            email = f"{role}@{org}.example"
            response = client.post("/accounts/login/", {"login": email, "password": "upturn-demo"})
            assert response.status_code == 302, email
            assert client.get("/").url == f"/o/{org}/", email


def test_demo_directories_are_realistic_rosters_with_the_demo_people_on_them(demo_module):

    for slug, size in (("acme", 600), ("globex", 150)):
        organization = Organization.objects.get(slug=slug)
        with tenant_context(organization=organization):
            assert Employee.objects.count() == size
            assert Employee.objects.filter(manager__isnull=True).count() == 1  # the CEO
            assert Department.objects.count() == 7
            mentor = Employee.objects.get(email=f"mentor@{slug}.example")
            mentee = Employee.objects.get(email=f"mentee@{slug}.example")
            assert mentor.job_level < mentee.job_level
            assert employee_reporting_line(mentee)[-1].job_title == "Chief executive officer"


def test_demo_roles_match_the_login_names(demo_module):

    with tenant_context(organization=Organization.objects.get(slug="globex")):
        admin = Membership.objects.get(user__email="admin@globex.example")
        manager = Membership.objects.get(user__email="manager@globex.example")
    with tenant_context(organization=Organization.objects.get(slug="acme")):
        executive = Membership.objects.get(user__email="exec@acme.example")
    assert admin.is_admin and not admin.is_participant
    assert manager.is_program_manager
    assert executive.is_executive
