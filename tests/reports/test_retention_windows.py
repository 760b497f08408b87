"""The retention KPI's windows (reports.kpis.retention_rows): every cohort start date is
counted in one pass (issue 19), and gives what one query per window gave, the level on a
start date read from the level history as a subquery per employee did."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from directory.models import Department, DirectoryImport, Employee, JobLevelChange
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program
from reports import kpis, services
from reports.formulas import RETENTION_FIGURES
from reports.models import FrozenRetention, Snapshot
from tests.reports.helpers import retention_rows_per_window

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 1)


@pytest.fixture
def history(acme):
    """One employee per edge of the level history, keyed by what makes it an edge."""
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


def _cohorts(acme, starts) -> dict[int, date]:
    program = Program.objects.create(
        organization=acme, name="Reverse", start_date=date(2024, 12, 1), end_date=date(2027, 12, 1)
    )
    return {
        Cohort.objects.create(
            organization=acme,
            program=program,
            name=str(start),
            start_date=start,
            end_date=start + timedelta(days=180),
        ).pk: start  # fmt: skip
        for start in starts
    }


def test_the_level_on_a_start_date_takes_the_first_later_change_and_falls_back_to_today(
    acme, history
):
    with tenant_context(organization=acme):
        cohorts = _cohorts(acme, [DAY])
        comparison, _taking = kpis.retention_rows(kpis.AsOf(acme, DAY), cohorts)

    # Nobody takes part: everyone on the roster is in the comparison group, in a cell of
    # their level on the start date (no department).
    levels = {level: cell.people for (_department, level), cell in comparison[DAY].items()}
    assert levels == {
        2: 3,  # two_changes_one_later_day, change_on_the_day_and_later, first_record_later
        4: 1,  # change_on_the_day
        3: 1,  # changes_before_only
        -1: 2,  # no_level_no_history, no_level_first_record_later
        7: 1,  # no_history
    }


@pytest.fixture
def roster(acme, history):
    """Two departments of colleagues hired, leaving and promoted around several cohort
    start dates, some of them approved participants (one only after a window closed)."""
    with tenant_context(organization=acme):
        sales = Department.objects.create(organization=acme, name="Sales")
        eng = Department.objects.create(organization=acme, name="Engineering")
        people = dict(history)
        for n in range(80):
            hired = date(2024, 1, 1) + timedelta(days=11 * n)
            left = date(2025, 3, 1) + timedelta(days=41 * n) if n % 3 == 0 else None
            level = 1 + (n // 2) % 2
            people[f"c{n}"] = Employee.objects.create(
                organization=acme, employee_number=f"c{n}", name=f"c{n}",
                department=(sales, eng)[n % 2], job_level=level,
                hire_date=hired if n % 5 else None, termination_date=left,
            )  # fmt: skip
            if n % 6 == 1:
                JobLevelChange.objects.create(
                    organization=acme, employee=people[f"c{n}"], from_level=level - 1,
                    to_level=level, changed_on=hired + timedelta(days=200),
                )  # fmt: skip
        starts = [date(2024, 12, 31), date(2025, 6, 1), DAY, date(2026, 4, 1)]
        cohorts = _cohorts(acme, starts)
        program = Program.objects.get()
        for n, (key, cohort) in enumerate(
            zip(["c1", "c2", "c5", "c8", "c13", "c20", "c21", "c30", "change_on_the_day"],
                [*cohorts] * 3, strict=False)
        ):  # fmt: skip
            decided = datetime(2024, 12, 1, tzinfo=UTC) + timedelta(days=90 * n)
            Participant.objects.create(
                organization=acme, program=program, cohort_id=cohort, employee=people[key],
                role=("mentor", "mentee")[n % 2], status=Participant.Status.APPROVED,
                decided_at=decided,
            )  # fmt: skip
        yield cohorts


@pytest.mark.parametrize(
    "day", [date(2025, 1, 15), date(2025, 12, 31), DAY, date(2026, 6, 30), date(2027, 6, 1)]
)
def test_all_windows_in_one_pass_equal_one_query_per_window(acme, roster, day):
    with tenant_context(organization=acme):
        cohorts = {cohort: start for cohort, start in roster.items() if start <= day}
        asof = kpis.AsOf(acme, day)
        comparison, taking = kpis.retention_rows(asof, cohorts)
        expected_comparison, expected_taking = retention_rows_per_window(asof, cohorts)

    assert comparison == expected_comparison
    assert {cohort: sorted(rows, key=repr) for cohort, rows in taking.items()} == {
        cohort: rows for cohort, rows in expected_taking.items() if rows
    }
    assert any(comparison.values())  # the windows had people to compare with


# --- Closed windows are kept (reports.models.FrozenRetention) ------------------------------

CLOSED_BY = date(2026, 6, 30)  # the windows from 31 Dec 2024 and 1 Jun 2025 have closed


def _write(acme, day) -> dict[int, dict]:
    """Write the day's snapshots; each cohort's retention figures as written."""
    services.snapshot_write(organization=acme, day=day)
    return {
        snapshot.cohort_id: {k: v for k, v in snapshot.figures.items() if k in RETENTION_FIGURES}
        for snapshot in Snapshot.objects.filter(day=day, cohort__isnull=False)
    }


def _closed(roster) -> list[int]:
    return [cohort for cohort, start in roster.items() if kpis.retention_closed(start, CLOSED_BY)]


def test_a_closed_window_is_kept_as_counting_it_again_gives(acme, roster):
    with tenant_context(organization=acme):
        written = _write(acme, CLOSED_BY)
        kept = dict(FrozenRetention.objects.values_list("cohort_id", "figures"))
        recounted = kpis.retention(kpis.AsOf(acme, CLOSED_BY + timedelta(days=40)))

    assert sorted(kept) == sorted(_closed(roster))
    for cohort in kept:
        assert kept[cohort] == written[cohort] == recounted[cohort]
        assert kept[cohort]["retention_comparison"] > 0


def test_the_nightly_job_takes_a_kept_window_instead_of_counting_it(acme, roster):
    with tenant_context(organization=acme):
        _write(acme, CLOSED_BY)
        # Mark the kept figures, to see them come back.
        FrozenRetention.objects.update(figures={"retention_people": 999})
        written = _write(acme, CLOSED_BY + timedelta(days=1))

    for cohort in _closed(roster):
        assert written[cohort] == {"retention_people": 999}
    open_cohort = next(c for c in roster if c not in _closed(roster) and roster[c] <= CLOSED_BY)
    assert written[open_cohort].get("retention_people") != 999


@pytest.mark.parametrize(
    "change",
    [
        "a leaver corrected",
        "a level change recorded",
        "an HR import applied",
        "a participant withdrawn",
        "the threshold raised",
    ],
)
def test_a_change_to_what_a_kept_window_was_counted_from_counts_it_again(acme, roster, change):
    with tenant_context(organization=acme):
        _write(acme, CLOSED_BY)
        FrozenRetention.objects.update(figures={"retention_people": 999})
        employee = Employee.objects.get(employee_number="c3")
        if change == "a leaver corrected":
            employee.termination_date = date(2025, 7, 1)
            employee.save()
        elif change == "a level change recorded":
            JobLevelChange.objects.create(
                organization=acme, employee=employee, from_level=1, to_level=2,
                changed_on=date(2025, 8, 1),
            )  # fmt: skip
        elif change == "an HR import applied":
            DirectoryImport.objects.create(
                organization=acme, original_name="hr.csv", status=DirectoryImport.Status.APPLIED
            )
        elif change == "a participant withdrawn":
            for participant in Participant.objects.filter(cohort_id__in=_closed(roster)):
                participant.status = Participant.Status.WITHDRAWN
                participant.save()
        else:
            Organization.objects.filter(pk=acme.pk).update(survey_min_group=7)
            acme.refresh_from_db()
        written = _write(acme, CLOSED_BY + timedelta(days=1))
        recounted = kpis.retention(kpis.AsOf(acme, CLOSED_BY + timedelta(days=1)))

    for cohort in _closed(roster):
        assert written[cohort] == recounted[cohort] != {"retention_people": 999}


def test_a_later_approval_elsewhere_leaves_a_closed_window_as_it_was(acme, roster):
    with tenant_context(organization=acme):
        before = kpis.retention(kpis.AsOf(acme, CLOSED_BY))
        newcomer = Employee.objects.get(employee_number="c11")
        cohort = max(roster, key=roster.get)
        Participant.objects.create(
            organization=acme, program=Program.objects.get(), cohort_id=cohort,
            employee=newcomer, role="mentor", status=Participant.Status.APPROVED,
            decided_at=datetime(2026, 7, 15, tzinfo=UTC),
        )  # fmt: skip
        after = kpis.retention(kpis.AsOf(acme, CLOSED_BY + timedelta(days=30)))

    for cohort in _closed(roster):
        assert after[cohort] == before[cohort]


def test_refreezing_counts_the_closed_windows_again(acme, roster):
    with tenant_context(organization=acme):
        _write(acme, CLOSED_BY)
        FrozenRetention.objects.update(figures={"retention_people": 999})
        call_command("retention_refreeze", "acme", stdout=io.StringIO())
        kept = dict(FrozenRetention.objects.values_list("cohort_id", "figures"))
        recounted = kpis.retention(kpis.AsOf(acme, CLOSED_BY))

    assert sorted(kept) == sorted(_closed(roster))
    for cohort in kept:
        assert kept[cohort] == recounted[cohort]
