"""What an agenda template is for (``Resource.purpose``): a new program's defaults carry
it, a copy keeps it, the program manager sets it on the resource form, and rows made
before the marker existed got it from their default title."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs import defaults
from programs.models import Program, Resource
from programs.services import program_copy, program_save
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FIRST, REGULAR, CLOSING = (str(t) for k, t, _b in defaults.RESOURCES if k == "agenda")
migration = importlib.import_module("programs.migrations.0008_resource_purpose")


@pytest.fixture
def manager(acme):
    return MembershipFactory(organization=acme, is_program_manager=True, is_participant=False).user


@pytest.fixture
def program(acme, manager) -> Program:
    with tenant_context(organization=acme):
        return program_save(
            program=Program(
                organization=acme, name="P", start_date=date(2027, 1, 1), end_date=date(2027, 6, 1)
            ),
            topics=[],
            managers=[Membership.objects.get(user=manager)],
        )


def _purposes(program) -> dict[str, str]:
    return dict(program.resources.values_list("title", "purpose"))


def test_a_new_programs_default_agendas_say_what_they_are_for(acme, program):
    with tenant_context(organization=acme):
        purposes = _purposes(program)

    assert {title: p for title, p in purposes.items() if p} == {
        FIRST: "first_session",
        REGULAR: "regular",
        CLOSING: "closing",
    }
    assert "getting to know each other" in FIRST
    # The guides are for no session in particular.
    assert sorted(purposes.values()) == ["", "", "closing", "first_session", "regular"]


def test_a_copy_keeps_what_each_agenda_is_for(acme, program):
    with tenant_context(organization=acme):
        Resource.objects.filter(program=program, purpose="first_session").update(
            title="Kick-off, our way"
        )
        copy = program_copy(program=program)
        purposes = _purposes(copy)

    assert purposes["Kick-off, our way"] == "first_session"
    assert (purposes[REGULAR], purposes[CLOSING]) == ("regular", "closing")


def _url(program, resource=None):
    base = f"/o/acme/programs/{program.pk}/resources/"
    return f"{base}{resource.pk}/" if resource else f"{base}new/"


def _data(**changes):
    data = {
        "kind": "agenda",
        "purpose": "",
        "title": "Our kick-off",
        "body": "1. Coffee",
        "link": "",
        "audience": "everyone",
        "position": "0",
    }
    return {**data, **changes}


def test_the_form_explains_the_purpose_and_the_manager_moves_it_to_a_renamed_agenda(
    client, acme, manager, program
):
    client.force_login(manager)
    with tenant_context(organization=acme):
        first = Resource.objects.get(program=program, purpose="first_session")

    page = client.get(_url(program, first)).content.decode()
    client.post(_url(program, first), _data(title="Old kick-off", body=first.body, purpose=""))
    response = client.post(_url(program), _data(purpose="first_session"), follow=True)

    assert "When a pair schedules a session, the form starts with the agenda marked" in page
    assert "No session in particular" in page
    assert "Saved “Our kick-off”." in response.content.decode()
    with tenant_context(organization=acme):
        assert _purposes(program)["Our kick-off"] == "first_session"
        assert _purposes(program)["Old kick-off"] == ""


def test_a_second_agenda_for_the_same_purpose_is_refused_and_nothing_is_saved(
    client, acme, manager, program
):
    client.force_login(manager)

    response = client.post(_url(program), _data(purpose="first_session"))

    assert response.status_code == 200
    (error,) = response.context["form"].errors["purpose"]
    assert error == (
        f"“{FIRST}” is already suggested for a pair's first session. "
        "Clear it there first, or leave this one empty."
    )
    with tenant_context(organization=acme):
        assert not Resource.objects.filter(title="Our kick-off").exists()


def test_only_an_agenda_can_have_a_purpose(client, acme, manager, program):
    client.force_login(manager)
    with tenant_context(organization=acme):
        Resource.objects.filter(program=program, purpose="closing").update(purpose="")

    response = client.post(_url(program), _data(kind="guide", purpose="closing"))

    assert response.context["form"].errors["purpose"] == [
        "Only session agenda templates are suggested for sessions."
    ]
    with tenant_context(organization=acme):
        assert not Resource.objects.filter(title="Our kick-off").exists()


def test_rows_from_before_the_marker_get_it_from_their_default_title(acme, program):
    with tenant_context(organization=acme):
        Resource.objects.filter(program=program).update(purpose="")
        first = Resource.objects.get(program=program, title=FIRST)
        # A twin further down the list, an agenda renamed before the marker, and a guide
        # that happens to carry a default agenda's title.
        twin = Resource.objects.create(
            organization=acme, program=program, kind="agenda", title=f"  {FIRST.upper()} ",
            position=9,
        )  # fmt: skip
        Resource.objects.filter(program=program, title=REGULAR).update(title="Our usual hour")
        guide = Resource.objects.create(
            organization=acme, program=program, kind="guide", title=CLOSING, position=9
        )

    # As the migration runs (as the tables' owner, outside any organisation), but here
    # inside Acme: the test runs as the application role, which row-level security binds.
    with tenant_context(organization=acme):
        migration.mark_default_agendas(apps, None)

    with tenant_context(organization=acme):
        marked = dict(Resource.objects.filter(program=program).values_list("pk", "purpose"))
        closing = Resource.objects.get(program=program, kind="agenda", title=CLOSING)
    assert (marked[first.pk], marked[twin.pk]) == ("first_session", "")
    assert marked[closing.pk] == "closing"
    assert marked[guide.pk] == ""
    assert sorted(marked.values()).count("") == 5  # the twin, the renamed one, 3 guides
