"""An employee's job level on a past day, read from the level history (reports.kpis):
the pre-aggregated join gives what the correlated subquery it replaced gave (issue 19)."""

from datetime import date

import pytest
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from directory.models import Employee, JobLevelChange
from organizations.tenancy import tenant_context
from reports import kpis

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


def _level_on_per_employee(day: date):
    """The replaced query, kept here as the reference: a subquery per employee."""
    first_later = JobLevelChange.objects.filter(
        employee=OuterRef("pk"), changed_on__gt=day
    ).order_by("changed_on", "pk")
    return Coalesce(
        Subquery(first_later.values("from_level")[:1]),
        "job_level",
        Value(-1),
        output_field=IntegerField(),
    )


@pytest.fixture
def history(acme):
    """One employee per edge of the history, keyed by what makes it an edge."""
    with tenant_context(organization=acme):
        people = {}
        for key, level in [
            ("two_changes_one_later_day", 5),
            ("change_on_the_day", 4),
            ("change_on_the_day_and_later", 6),
            ("changes_before_only", 3),
            ("first_record_later", 2),
            ("no_level_no_history", None),
            ("no_level_first_record_later", None),
            ("no_history", 7),
        ]:
            people[key] = Employee.objects.create(
                organization=acme, employee_number=key, name=key, job_level=level,
                hire_date=date(2020, 1, 1),
            )  # fmt: skip
        for key, old, new, on in [
            # Two changes on the same later day: the first recorded (lower id) counts.
            ("two_changes_one_later_day", 2, 3, "2026-04-01"),
            ("two_changes_one_later_day", 3, 5, "2026-04-01"),
            ("change_on_the_day", 1, 4, "2026-03-01"),  # in force on the day
            ("change_on_the_day_and_later", 1, 2, "2026-03-01"),
            ("change_on_the_day_and_later", 2, 6, "2026-05-01"),
            ("changes_before_only", 1, 2, "2025-01-01"),
            ("changes_before_only", 2, 3, "2025-06-01"),
            ("first_record_later", None, 2, "2026-06-01"),  # no earlier level known
            ("no_level_first_record_later", None, 4, "2026-06-01"),
        ]:
            JobLevelChange.objects.create(
                organization=acme, employee=people[key], from_level=old, to_level=new,
                changed_on=date.fromisoformat(on),
            )  # fmt: skip
        yield people


def _levels(acme, day: date) -> dict[str, int]:
    """What the retention KPI reads: every employee on the roster that day, with the level."""
    return dict(kpis._people_on(acme, day, day).values_list("employee_number", "level_then"))


def _levels_per_employee(acme, day: date) -> dict[str, int]:
    return dict(
        Employee.objects.filter(organization=acme)
        .filter(kpis._employed_on(day))
        .annotate(level_then=_level_on_per_employee(day))
        .values_list("employee_number", "level_then")
    )


def test_the_level_on_a_day_is_what_the_per_employee_subquery_gave(acme, history):
    with tenant_context(organization=acme):
        for day in [date(2024, 12, 31), date(2025, 6, 1), DAY, date(2026, 4, 1), date(2027, 1, 1)]:
            assert _levels(acme, day) == _levels_per_employee(acme, day), day


def test_the_level_on_a_day_takes_the_first_later_change_and_falls_back_to_today(acme, history):
    with tenant_context(organization=acme):
        levels = _levels(acme, DAY)

    assert levels == {
        "two_changes_one_later_day": 2,
        "change_on_the_day": 4,
        "change_on_the_day_and_later": 2,
        "changes_before_only": 3,
        "first_record_later": 2,
        "no_level_no_history": -1,
        "no_level_first_record_later": -1,
        "no_history": 7,
    }
