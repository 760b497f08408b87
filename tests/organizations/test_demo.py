import io

import pytest
from django.core.management import call_command

from accounts.models import User
from directory.demographics import ANSWER_FIELDS
from directory.models import Department, Employee, EmployeeDemographics, JobLevelChange
from directory.selectors import employee_reporting_line
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from reports.models import Snapshot

pytestmark = pytest.mark.django_db

ROLES = ["admin", "manager", "mentor", "mentee", "exec"]


def _snapshot():
    memberships = []
    for organization in Organization.objects.all():
        with tenant_context(organization=organization):
            memberships += Membership.objects.values_list(
                "user__email",
                "organization__slug",
                "is_admin",
                "is_program_manager",
                "is_executive",
                "is_participant",
                "is_active",
            )
    return (
        sorted(Organization.objects.values_list("slug", "name", "time_zone")),
        sorted(User.objects.values_list("email", "name")),
        sorted(memberships),
    )


def test_seed_demo_twice_gives_the_same_data():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo", "--force")

    assert _snapshot() == first
    emails = {email for email, _name in first[1]}
    assert {f"{role}@{org}.example" for role in ROLES for org in ("acme", "globex")} <= emails
    # And an account for each participant who applied (they joined first).
    assert len(emails) == 10 + (40 - 2) + 7 + (12 - 2)


def _reports_state():
    """What the reports read, per organisation, without the timestamps of the writes."""
    state = {}
    for organization in Organization.objects.order_by("slug"):
        with tenant_context(organization=organization):
            state[organization.slug] = {
                "directory": sorted(
                    Employee.objects.values_list(
                        "employee_number",
                        "name",
                        "job_level",
                        "hire_date",
                        "termination_date",
                        "department__name",
                        "manager__employee_number",
                    )
                ),
                "level_changes": sorted(
                    JobLevelChange.objects.values_list(
                        "employee__employee_number", "from_level", "to_level", "changed_on"
                    )
                ),
                "demographics": sorted(
                    EmployeeDemographics.objects.values_list(
                        "employee__employee_number", *ANSWER_FIELDS
                    )
                ),
                # What they publish too: a second run shows what the first one did.
                "snapshots": sorted(
                    (scope, day, figures, headline, published, detail)
                    for scope, day, figures, headline, published, detail in (
                        Snapshot.objects.values_list(
                            "scope", "day", "figures", "headline", "published", "published_detail"
                        )
                    )
                ),
            }
    return state


@pytest.fixture(scope="module")
def reports_demo_seeded_twice(django_db_setup, django_db_blocker):
    """The whole demo, the reports' history included, seeded twice (slow: once for the
    module): the state after each run. Five weeks of weekly snapshots rather than six
    months: as many days as it takes to see one change, a fifth of the time."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("demo.reports.HISTORY_DAYS", 35)
        call_command("seed_demo", stdout=io.StringIO())
        first = _reports_state()
        call_command("seed_demo", "--force", stdout=io.StringIO())
        second = _reports_state()
    yield first, second
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


@pytest.mark.reports_demo
@pytest.mark.parametrize("part", ["directory", "level_changes", "demographics", "snapshots"])
def test_seed_demo_twice_gives_the_same_reports_history(reports_demo_seeded_twice, part):
    first, second = reports_demo_seeded_twice

    for slug in ("acme", "globex"):
        assert first[slug][part], f"the demo has {part} at {slug}"
        assert second[slug][part] == first[slug][part], f"{part} at {slug} changed"


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


def test_demo_password_can_be_chosen_by_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"login": "exec@acme.example", "password": "another-demo-pass"}
    )

    assert response.status_code == 302


def test_demo_roles_match_the_login_names(demo_module):

    with tenant_context(organization=Organization.objects.get(slug="globex")):
        admin = Membership.objects.get(user__email="admin@globex.example")
        manager = Membership.objects.get(user__email="manager@globex.example")
    with tenant_context(organization=Organization.objects.get(slug="acme")):
        executive = Membership.objects.get(user__email="exec@acme.example")
    assert admin.is_admin and not admin.is_participant
    assert manager.is_program_manager
    assert executive.is_executive
