"""The people of the shared ``world`` cohort as members who can sign in, its program's
manager, and a clock that is never in anyone's night (a notice is emailed at once)."""

import pytest

from organizations.tenancy import tenant_context
from programs.models import ProgramManager
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory


@pytest.fixture
def members(acme, world):
    """Each of the cohort's people as a member, by first name (their directory email is
    their sign-in email, which is how a member finds their places)."""
    return {
        first: MembershipFactory(
            organization=acme, user=UserFactory(email=f"{first.lower()}@acme.example")
        )
        for first in ("Ann", "Bea", "Cy", "Dan", "Eve")
    }


@pytest.fixture
def program_manager(acme, world):
    membership = MembershipFactory(
        organization=acme,
        is_program_manager=True,
        is_participant=False,
        user=UserFactory(email="pm@acme.example", name="Pat Manager"),
    )
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=membership
        )
    return membership


@pytest.fixture
def daytime(monkeypatch):
    """Notices wait for the end of the recipient's night; these tests run at any hour."""
    monkeypatch.setattr("notifications.delivery.is_night", lambda moment, zone: False)
