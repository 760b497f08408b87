"""The link between a directory entry and a membership: one person, two records.

An employee is linked to the member whose sign-in email is the employee's email (case
aside) when either record appears: a membership made (an invitation accepted, a member
added), an employee created or given an email (a form, the import, the API). Only then
is the email compared; once linked, the two stay linked whatever either address becomes,
so an email change never moves a person's places, answers or notifications to someone
else. A link is made only between an unlinked employee and an unlinked member.
"""

from django.db.models import F
from django.db.models.functions import Lower

from directory.models import Employee
from organizations.models import Membership, Organization


def employees_link_members(
    *, organization: Organization | int, employee_ids=None, membership_ids=None
) -> int:
    """Link the organisation's unlinked employees to its unlinked members with the same
    email; ``employee_ids`` or ``membership_ids`` narrow the search to those. Returns how
    many links were made. Two employees with one address (in different case) are never
    both linked: the first made wins."""
    members = Membership.objects.filter(organization=organization, employee__isnull=True)
    if membership_ids is not None:
        members = members.filter(pk__in=membership_ids)
    members = members.annotate(key=Lower("user__email"))
    employees = (
        Employee.objects.filter(organization=organization, member__isnull=True)
        .exclude(email="")
        .annotate(key=Lower("email"))
        .filter(key__in=members.values("key"))
    )
    if employee_ids is not None:
        employees = employees.filter(pk__in=employee_ids)
    candidates = list(employees.order_by("pk").values_list("pk", "key"))
    if not candidates:
        return 0
    member_by_email = dict(
        members.filter(key__in={key for _pk, key in candidates}).values_list("key", "pk")
    )
    links, taken = [], set()
    for pk, key in candidates:
        member_id = member_by_email.get(key)
        if member_id is not None and member_id not in taken:
            taken.add(member_id)
            links.append(Employee(pk=pk, member_id=member_id))
    Employee.objects.bulk_update(links, ["member"], batch_size=1000)
    return len(links)


def employee_of(membership: Membership) -> Employee | None:
    """The member's directory entry, if they have one."""
    return Employee.objects.filter(member=membership).first()


def members_by_employee(organization: Organization) -> dict[int, Membership]:
    """The organisation's active members who have a directory entry, by employee id: who
    receives what is meant for a participant (a participant is an employee's place)."""
    members = (
        Membership.objects.filter(organization=organization, is_active=True)
        .filter(employee__isnull=False)
        .select_related("user")
        .annotate(employee_pk=F("employee__pk"))
    )
    return {member.employee_pk: member for member in members}
