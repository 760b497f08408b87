import pytest

from directory.models import Employee, EmployeeDemographics
from organizations.tenancy import tenant_context
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"gender": "woman", "ethnicity": "Tamil", "disability": "no", "lgbtq": "prefer_not"}


@pytest.fixture
def on_the_roster(acme, acme_mentor):
    with tenant_context(organization=acme):
        return Employee.objects.create(
            organization=acme, employee_number="7", name="Mina Mentor", email=acme_mentor.email
        )


def _stored(acme):
    with tenant_context(organization=acme):
        return list(
            EmployeeDemographics.objects.values("employee__employee_number", "gender", "ethnicity")
        )


def test_a_person_records_their_answers_only_with_consent(client, acme, acme_mentor, on_the_roster):
    client.force_login(acme_mentor)

    refused = client.post("/o/acme/me/", {**ANSWERS, "action": "save"})
    assert "Tick the box to agree" in refused.content.decode()
    assert _stored(acme) == []

    client.post("/o/acme/me/", {**ANSWERS, "consent": "on", "action": "save"})
    assert _stored(acme) == [
        {"employee__employee_number": "7", "gender": "woman", "ethnicity": "Tamil"}
    ]
    assert "You agreed on" in client.get("/o/acme/me/").content.decode()


def test_withdrawing_consent_deletes_the_answers(client, acme, acme_mentor, on_the_roster):
    client.force_login(acme_mentor)
    client.post("/o/acme/me/", {**ANSWERS, "consent": "on", "action": "save"})

    client.post("/o/acme/me/", {"action": "withdraw"})

    assert _stored(acme) == []


def test_only_admins_see_a_persons_answers_on_the_directory(
    client, acme, acme_admin, acme_mentor, on_the_roster
):
    client.force_login(acme_mentor)
    client.post("/o/acme/me/", {**ANSWERS, "consent": "on", "action": "save"})
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    page = f"/o/acme/directory/{on_the_roster.pk}/"

    client.force_login(acme_admin)
    assert "Tamil" in client.get(page).content.decode()
    client.force_login(manager)
    assert "Tamil" not in client.get(page).content.decode()
    assert "Self-identified" not in client.get(page).content.decode()


def test_a_member_who_is_not_on_the_roster_is_told_why(client, acme_admin):
    client.force_login(acme_admin)

    html = client.get("/o/acme/me/").content.decode()

    assert "You are not in the directory yet" in html


def test_answers_cannot_be_posted_for_someone_not_on_the_roster(client, acme, acme_admin):
    client.force_login(acme_admin)

    client.post("/o/acme/me/", {**ANSWERS, "consent": "on", "action": "save"})

    assert _stored(acme) == []
