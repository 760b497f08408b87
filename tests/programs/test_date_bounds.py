"""A program's and a cohort's dates go from 2000 to ten years ahead: the form says so on
the field, the service refuses the same, and copying a program never overflows."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.dates import years_later
from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs import services
from programs.forms import CohortForm
from programs.models import Cohort, Program
from tests.organizations.factories import MembershipFactory
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(acme):
    return MembershipFactory(organization=acme, is_program_manager=True, is_participant=False).user


def _form(acme, manager, **changes):
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=manager)
    return {
        "name": "Reverse mentoring pilot",
        "direction": "reverse",
        "start_date": "2027-01-15",
        "end_date": "2027-07-15",
        "sessions_per_month": "1",
        "session_minutes": "60",
        "planned_sessions": "6",
        "ground_rules": "What is said in a session stays there.",
        "satisfaction_target": "90",
        "cadence_target": "80",
        "matching_mode": "engine",
        "managers": [membership.pk],
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("end_date", "9999-12-31", "The end date"),
        ("start_date", "1999-12-31", "The start date"),
        ("start_date", "0001-01-01", "The start date"),
    ],
)
def test_the_program_form_refuses_dates_far_out_on_their_field(
    client, acme, manager, field, value, what
):
    client.force_login(manager)

    response = client.post("/o/acme/programs/new/", _form(acme, manager, **{field: value}))

    assert response.context["form"].errors[field][0].startswith(f"{what} must be from")
    with tenant_context(organization=acme):
        assert not Program.objects.exists()


def test_the_program_service_refuses_dates_far_out(acme):
    program = Program(
        organization=acme, name="Far", start_date=date(2027, 1, 1), end_date=date(9999, 12, 31)
    )
    with tenant_context(organization=acme), pytest.raises(ValidationError) as refused:
        services.program_save(program=program, topics=[], managers=[])

    assert list(refused.value.message_dict) == ["end_date"]


def test_the_cohort_form_refuses_dates_far_out_on_their_field(acme):
    with tenant_context(organization=acme):
        program = ProgramFactory(organization=acme, end_date=date(9999, 12, 31))
        form = CohortForm(
            {"name": "Far", "start_date": "2027-01-01", "end_date": "9999-12-30"},
            instance=Cohort(organization=acme, program=program),
        )

        assert not form.is_valid()
    assert form.errors["end_date"][0].startswith("The end date must be from")


def test_copying_a_program_stored_far_out_is_refused_with_a_message(client, acme, manager):
    with tenant_context(organization=acme):
        program = ProgramFactory(organization=acme, end_date=date(9999, 12, 31))
        program.programmanager_set.create(
            organization=acme, membership=Membership.objects.get(user=manager)
        )
    client.force_login(manager)

    response = client.post(f"/o/acme/programs/{program.pk}/copy/", follow=True)

    assert response.status_code == 200
    assert "Create a new program instead." in response.content.decode()
    with tenant_context(organization=acme):
        assert Program.objects.count() == 1


def test_a_program_ending_ten_years_ahead_cannot_be_copied_beyond(acme):
    latest = years_later(timezone.localdate(), 10)
    with tenant_context(organization=acme):
        program = ProgramFactory(
            organization=acme, start_date=latest - timedelta(days=90), end_date=latest
        )
        with pytest.raises(ValidationError, match="the latest a program may end"):
            services.program_copy(program=program)
