"""Demo data for the reports: a little history the roster file cannot carry (promotions,
recent leavers, voluntary self-identification), then the snapshots of the past months, so
the dashboard has trends on first sight.

Safe to run again: it leaves the same state. Every step draws from a generator of its own,
seeded by the organisation and the step (and the person, where it draws per person), and
draws the same numbers whatever the database already holds; it then writes by upsert. A
step that had less to do on a second run would otherwise shift every draw after it."""

import random
from datetime import timedelta

from django.utils import timezone

from directory.demographics import ANSWER_FIELDS
from directory.models import Employee, EmployeeDemographics, JobLevelChange
from organizations.models import Organization
from programs.models import Cohort, Participant
from reports.selectors import last_complete_day, today
from reports.services import snapshots_backfill

HISTORY_DAYS = 180
GENDERS = ["woman"] * 9 + ["man"] * 9 + ["non_binary", "prefer_not"]
YES_NO = ["yes"] * 2 + ["no"] * 7 + ["prefer_not"]
FIRST_GENERATION = ["yes"] * 3 + ["no"] * 6 + ["prefer_not"]


def seed_reports_demo(organization: Organization) -> None:
    day = today(organization)
    employees = list(Employee.objects.filter(organization=organization).order_by("employee_number"))
    taking_part = set(
        Participant.objects.filter(organization=organization).values_list("employee_id", flat=True)
    )
    mentors = set(
        Participant.objects.filter(
            organization=organization, role=Participant.Role.MENTOR
        ).values_list("employee_id", flat=True)
    )
    _promotions(organization, employees, mentors, day)
    _leavers(organization, employees, taking_part, day)
    _self_identification(organization, employees)
    first = Cohort.objects.filter(organization=organization).order_by("start_date").first()
    start = day - timedelta(days=HISTORY_DAYS)
    if first is not None:
        start = max(start, first.start_date - timedelta(days=30))
    # Up to yesterday, the nightly job's day: the dashboard has figures as of yesterday
    # from the first page, as it would after a night of the worker.
    end = last_complete_day(organization)
    snapshots_backfill(organization=organization, start=min(start, end), end=end, every_days=7)


def _rng(organization: Organization, step: str, *keys: str) -> random.Random:
    return random.Random(":".join([organization.slug, step, *keys]))  # noqa: S311 - made-up data


def _promotions(organization, employees, mentors, day) -> None:
    """Some people reached their current level recently: half of the mentors, one in
    ten of everyone else at the junior levels."""
    for employee in employees:
        level = employee.job_level
        if not level or level < 2 or level > 5:
            continue
        rng = _rng(organization, "promotion", employee.employee_number)
        chance = 0.5 if employee.pk in mentors else 0.1
        if rng.random() < chance:
            JobLevelChange.objects.update_or_create(
                organization=organization,
                employee=employee,
                from_level=level - 1,
                to_level=level,
                defaults={"changed_on": day - timedelta(days=rng.randint(5, 60))},
            )


def _leavers(organization, employees, taking_part, day) -> None:
    """A few recent leavers among the colleagues who did not take part (the roster file
    only has older ones): the comparison group for retention. The roster import that
    seed_demo runs first puts everyone's termination date back to the file's, so the
    candidates are the same on every run."""
    others = [e for e in employees if e.pk not in taking_part and e.termination_date is None]
    rng = _rng(organization, "leavers")
    leaving = rng.sample(others, k=min(len(others), max(1, len(employees) // 12)))
    for employee in leaving:
        employee.termination_date = day - timedelta(days=rng.randint(3, 40))
    Employee.objects.bulk_update(leaving, ["termination_date"])


def _self_identification(organization, employees) -> None:
    """About half of the people chose to answer the voluntary questions; the others have
    no answers (a second run puts the demo's answers back, whatever was changed since).
    The consent keeps the time it was first given."""
    now = timezone.now()
    answers, silent = [], []
    for employee in employees:
        rng = _rng(organization, "self-identification", employee.employee_number)
        if rng.random() >= 0.5:
            silent.append(employee.pk)
            continue
        answers.append(
            EmployeeDemographics(
                organization=organization,
                employee=employee,
                consent_given_at=now,
                gender=rng.choice(GENDERS),
                gender_self_described="",
                ethnicity="",
                disability=rng.choice(YES_NO),
                lgbtq=rng.choice(YES_NO),
                first_generation=rng.choice(FIRST_GENERATION),
            )
        )
    EmployeeDemographics.objects.bulk_create(
        answers,
        update_conflicts=True,
        unique_fields=["employee"],
        update_fields=ANSWER_FIELDS,
    )
    EmployeeDemographics.objects.filter(organization=organization, employee__in=silent).delete()
