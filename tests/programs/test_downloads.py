"""Files of training modules and resources: downloaded through the organisation, by the
program's participants (what is meant for their role) and its staff; nobody else, and
never from /media/."""

import importlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches
from django.utils import timezone

from directory.models import Employee
from organizations.tenancy import tenant_context
from programs.models import (
    Cohort,
    Participant,
    Program,
    ProgramManager,
    Resource,
    TrainingModule,
)
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

GUIDE = b"%PDF-1.4 how reverse mentoring works"


@pytest.fixture
def manager(acme, world):
    """A program manager of the program (they reach only the programs they manage)."""
    membership = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=membership
        )
    return membership


@pytest.fixture
def world(acme):
    """A recruiting program with a module for everyone, a module for mentees only and a
    resource, each with a file; and a mentor who has applied, signed in as a member."""
    with tenant_context(organization=acme):
        program = Program.objects.create(
            organization=acme,
            name="Reverse pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
            status=Program.Status.RECRUITING,
        )
        cohort = Cohort.objects.create(
            organization=acme,
            program=program,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )
        module = TrainingModule.objects.create(
            organization=acme,
            program=program,
            title="How it works",
            file=ContentFile(GUIDE, name="how-it-works.pdf"),
        )
        mentees_only = TrainingModule.objects.create(
            organization=acme,
            program=program,
            title="Receiving feedback",
            audience="mentees",
            file=ContentFile(b"for mentees", name="receiving.pdf"),
        )
        resource = Resource.objects.create(
            organization=acme,
            program=program,
            kind="guide",
            title="First session",
            file=ContentFile(b"agenda", name="first-session.txt"),
        )
        employee = Employee.objects.create(
            organization=acme, employee_number="M1", name="Mina", email="mina@acme.example"
        )
        mentor = Participant.objects.create(
            organization=acme,
            program=program,
            cohort=cohort,
            employee=employee,
            role="mentor",
            status="applied",
            applied_at=timezone.now(),
        )
    user = UserFactory(email="mina@acme.example")
    MembershipFactory(organization=acme, user=user)
    return {
        "program": program,
        "module": module,
        "mentees_only": mentees_only,
        "resource": resource,
        "mentor": mentor,
        "user": user,
    }


def _module_url(world, module=None):
    module = module or world["module"]
    return f"/o/acme/programs/{world['program'].pk}/training/{module.pk}/file/"


def _resource_url(world):
    return f"/o/acme/programs/{world['program'].pk}/resources/{world['resource'].pk}/file/"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_participant_downloads_the_files_their_page_links_to(client, world):
    client.force_login(world["user"])

    page = client.get(f"/o/acme/programs/mine/{world['mentor'].pk}/").content.decode()
    module = client.get(_module_url(world))
    resource = client.get(_resource_url(world))

    assert f'href="{_module_url(world)}"' in page
    assert f'href="{_resource_url(world)}"' in page
    assert "/media/" not in page
    assert module.status_code == 200 and _body(module) == GUIDE
    assert module["Content-Type"] == "application/pdf"
    assert module["Content-Disposition"] == 'attachment; filename="how-it-works.pdf"'
    assert _body(resource) == b"agenda"


def test_program_staff_download_from_the_module_page(client, world, manager):
    client.force_login(manager.user)
    edit = f"/o/acme/programs/{world['program'].pk}/training/{world['module'].pk}/"

    page = client.get(edit).content.decode()
    download = client.get(_module_url(world))

    link = f'Currently: <a href="{_module_url(world)}">how-it-works.pdf</a>'
    assert link in page
    assert "/media/" not in page
    assert _body(download) == GUIDE


def test_a_member_of_another_organisation_gets_404(client, world, globex):
    outsider = MembershipFactory(organization=globex, is_admin=True, is_program_manager=True)
    client.force_login(outsider.user)

    assert client.get(_module_url(world)).status_code == 404
    assert client.get(_resource_url(world)).status_code == 404
    assert client.get(_module_url(world).replace("/acme/", "/globex/")).status_code == 404


def test_a_colleague_who_is_not_in_the_program_gets_404(client, world, acme_mentor):
    client.force_login(acme_mentor)

    assert client.get(_module_url(world)).status_code == 404
    assert client.get(_resource_url(world)).status_code == 404


def test_a_mentor_cannot_download_what_is_meant_for_mentees(client, world):
    client.force_login(world["user"])

    assert client.get(_module_url(world, world["mentees_only"])).status_code == 404


def test_someone_who_left_the_program_can_no_longer_download(client, world, acme):
    with tenant_context(organization=acme):
        Participant.objects.filter(pk=world["mentor"].pk).update(status="withdrawn")
    client.force_login(world["user"])

    page = client.get(f"/o/acme/programs/mine/{world['mentor'].pk}/").content.decode()

    assert client.get(_module_url(world)).status_code == 404
    assert _resource_url(world) not in page


def test_a_module_without_a_file_answers_404(client, world, manager, acme):
    with tenant_context(organization=acme):
        TrainingModule.objects.filter(pk=world["module"].pk).update(file="")
    client.force_login(manager.user)

    assert client.get(_module_url(world)).status_code == 404


def test_uploads_are_not_served_from_media_even_with_debug_on(settings):
    import home.urls

    settings.DEBUG = True
    try:
        importlib.reload(home.urls)
        routes = [str(p.pattern) for p in home.urls.urlpatterns]
    finally:
        settings.DEBUG = False
        importlib.reload(home.urls)
        clear_url_caches()

    assert not [route for route in routes if "media" in route]
