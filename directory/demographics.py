"""A person's own demographic answers: recorded only with their consent, withdrawn at will."""

from django.db import transaction
from django.utils import timezone

from directory.models import Employee, EmployeeDemographics
from organizations.models import Organization

ANSWER_FIELDS = [
    "gender",
    "gender_self_described",
    "ethnicity",
    "disability",
    "lgbtq",
    "first_generation",
]


def employee_for_user(*, organization: Organization, user) -> Employee | None:
    """The directory entry linked to a signed-in person's membership (directory.links)."""
    return (
        Employee.objects.filter(organization=organization, member__user=user)
        .select_related("department", "demographics")
        .first()
    )


@transaction.atomic
def demographics_record(
    *, organization: Organization, employee: Employee, answers: dict
) -> EmployeeDemographics:
    """Store the answers with the moment consent was given (called only after the person
    ticked the consent box)."""
    record, _ = EmployeeDemographics.objects.update_or_create(
        organization=organization,
        employee=employee,
        defaults={
            **{name: answers.get(name, "") for name in ANSWER_FIELDS},
            "consent_given_at": timezone.now(),
        },
    )
    return record


@transaction.atomic
def demographics_withdraw(*, organization: Organization, employee: Employee) -> None:
    """Consent withdrawn: the answers are deleted, not hidden."""
    EmployeeDemographics.objects.filter(organization=organization, employee=employee).delete()
