"""The suite's saved demo (tests/demo_snapshot.py) gives back exactly the rows the seeding
left, and the database numbers new rows after them."""

import uuid

import pytest
from django.core.management import call_command

from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from tests.helpers import require
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _rows():
    organizations = sorted(Organization.objects.values_list("pk", "slug", "name"))
    memberships = []
    for organization in Organization.objects.all():
        with tenant_context(organization=organization):
            memberships += Membership.objects.values_list("pk", "user__email", "is_admin")
    return organizations, sorted(memberships)


def test_the_second_use_copies_back_what_the_first_seeded(seed_demo_once):
    from tests import demo_snapshot

    require(demo_snapshot.owner["user"] is not None, "needs PostgreSQL with an app role")
    seeded = []

    def seed():
        seeded.append(True)
        organization = OrganizationFactory(slug="tiny", name="Tiny")
        MembershipFactory(organization=organization, is_admin=True)

    variant = f"tiny-{uuid.uuid4().hex}"
    seed_demo_once(variant, seed)
    first = _rows()
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert _rows() == ([], [])

    seed_demo_once(variant, seed)

    assert seeded == [True], "seeded once, restored the second time"
    assert _rows() == first
    assert OrganizationFactory().pk > max(pk for pk, _slug, _name in first[0])
