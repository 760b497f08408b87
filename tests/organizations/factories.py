import factory

from directory.models import Department, Employee
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from tests.accounts.factories import UserFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates tenant-owned rows inside their organisation, as the application does."""

    class Meta:
        abstract = True

    organization = factory.SubFactory(OrganizationFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant_context(organization=kwargs["organization"]):
            return super()._create(model_class, *args, **kwargs)


class MembershipFactory(TenantFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    is_participant = True


class DepartmentFactory(TenantFactory):
    class Meta:
        model = Department
        django_get_or_create = ["organization", "name"]

    name = factory.Sequence(lambda n: f"Department {n}")


class EmployeeFactory(TenantFactory):
    """A person on the roster; ``employee_number`` and ``email`` are unique by default."""

    class Meta:
        model = Employee

    employee_number = factory.Sequence(lambda n: f"E{n:04d}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda e: f"{e.employee_number.lower()}@example.com")
