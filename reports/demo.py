"""Demo data for the reports: a little history the roster file cannot carry (promotions,
recent leavers, voluntary self-identification), then the snapshots of the past months, so
the dashboard has trends on first sight. Safe to run again: it leaves the same state."""

import random
from datetime import timedelta

from django.utils import timezone

from organizations.models import Employee, EmployeeDemographics, JobLevelChange, Organization
from programs.models import Cohort, Participant
from reports.snapshots import snapshots_backfill, today

HISTORY_DAYS = 180
GENDERS = ["woman"] * 9 + ["man"] * 9 + ["non_binary", "prefer_not"]
YES_NO = ["yes"] * 2 + ["no"] * 7 + ["prefer_not"]


def seed_reports_demo(organization: Organization) -> None:
    rng = random.Random(f"reports-{organization.slug}")  # noqa: S311 - made-up data
    day = today(organization)
    employees = list(Employee.objects.filter(organization=organization).order_by("pk"))
    taking_part = set(
        Participant.objects.filter(organization=organization).values_list("employee_id", flat=True)
    )
    mentors = set(
        Participant.objects.filter(
            organization=organization, role=Participant.Role.MENTOR
        ).values_list("employee_id", flat=True)
    )
    _promotions(organization, rng, employees, mentors, day)
    _leavers(rng, employees, taking_part, day)
    _self_identification(organization, rng, employees)
    first = Cohort.objects.filter(organization=organization).order_by("start_date").first()
    start = day - timedelta(days=HISTORY_DAYS)
    if first is not None:
        start = max(start, first.start_date - timedelta(days=30))
    snapshots_backfill(organization, start, day, every_days=7)


def _promotions(organization, rng, employees, mentors, day) -> None:
    """Some people reached their current level recently: half of the mentors, one in
    ten of everyone else at the junior levels."""
    if JobLevelChange.objects.filter(organization=organization).exists():
        return
    changes = []
    for employee in employees:
        level = employee.job_level
        if not level or level < 2 or level > 5:
            continue
        chance = 0.5 if employee.pk in mentors else 0.1
        if rng.random() < chance:
            changes.append(
                JobLevelChange(
                    organization=organization,
                    employee=employee,
                    from_level=level - 1,
                    to_level=level,
                    changed_on=day - timedelta(days=rng.randint(5, 60)),
                )
            )
    JobLevelChange.objects.bulk_create(changes)


def _leavers(rng, employees, taking_part, day) -> None:
    """A few recent leavers among the colleagues who did not take part (the roster file
    only has older ones): the comparison group for retention."""
    others = [e for e in employees if e.pk not in taking_part and e.termination_date is None]
    leaving = rng.sample(others, k=min(len(others), max(1, len(employees) // 12)))
    for employee in leaving:
        employee.termination_date = day - timedelta(days=rng.randint(3, 40))
    Employee.objects.bulk_update(leaving, ["termination_date"])


def _self_identification(organization, rng, employees) -> None:
    """About half of the people chose to answer the voluntary questions."""
    have = set(
        EmployeeDemographics.objects.filter(organization=organization).values_list(
            "employee_id", flat=True
        )
    )
    now = timezone.now()
    answers = [
        EmployeeDemographics(
            organization=organization,
            employee=employee,
            consent_given_at=now,
            gender=rng.choice(GENDERS),
            disability=rng.choice(YES_NO),
            lgbtq=rng.choice(YES_NO),
            first_generation=rng.choice(["yes"] * 3 + ["no"] * 6 + ["prefer_not"]),
        )
        for employee in employees
        if employee.pk not in have and rng.random() < 0.5
    ]
    EmployeeDemographics.objects.bulk_create(answers)
