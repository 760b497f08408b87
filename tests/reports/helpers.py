"""The reports tests' calendar (the day reported, 30 June 2026, and the program's start),
and the reference the retention KPI's single pass is checked against."""

from datetime import UTC, date, datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from directory.models import Employee, JobLevelChange
from programs.models import Participant
from reports.formulas import ComparisonCell, Participation
from reports.kpis import AsOf, _employed_on, retention_window

DAY = date(2026, 6, 30)
START = date(2026, 1, 1)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def retention_rows_per_window(asof, cohorts: dict) -> tuple[dict, dict]:
    """The reference for reports.kpis.retention_rows: each window counted by queries of
    its own (a query per start date for the comparison group, one per cohort for its
    participants), the level on the start date read by a subquery per employee, as the
    retention KPI was computed before issue 19 batched its windows."""

    def people_on(start, end):
        first_later = JobLevelChange.objects.filter(
            employee=OuterRef("pk"), changed_on__gt=start
        ).order_by("changed_on", "pk")
        promoted = JobLevelChange.objects.filter(
            employee=OuterRef("pk"), changed_on__gt=start, changed_on__lte=end,
            from_level__isnull=False, to_level__gt=F("from_level"),
        )  # fmt: skip
        level = Coalesce(
            Subquery(first_later.values("from_level")[:1]), "job_level", Value(-1),
            output_field=IntegerField(),
        )  # fmt: skip
        return (
            Employee.objects.filter(organization=asof.organization)
            .filter(_employed_on(start))
            .annotate(level_then=level, promoted=Exists(promoted))
        )

    comparison, taking = {}, {}
    for cohort, start in cohorts.items():
        end = retention_window(start, asof.day)
        approved = Participant.objects.filter(
            organization=asof.organization,
            status=Participant.Status.APPROVED,
            decided_at__lt=AsOf(asof.organization, end).until,
        )
        rows = (
            people_on(start, end)
            .exclude(Exists(approved.filter(employee=OuterRef("pk"))))
            .values("department_id", "level_then")
            .annotate(
                n=Count("id"),
                kept=Count("id", filter=~Q(termination_date__lte=end)),
                promoted_n=Count("id", filter=Q(promoted=True)),
            )
        )
        comparison[start] = {
            (row["department_id"], row["level_then"]): ComparisonCell(
                row["n"], row["kept"], row["promoted_n"]
            )
            for row in rows
        }
        roles = dict(approved.filter(cohort_id=cohort).values_list("employee_id", "role"))
        people = people_on(start, end).filter(pk__in=list(roles))
        taking[cohort] = sorted(
            (
                Participation(
                    (department, level),
                    left is None or left > end,
                    promoted,
                    roles[employee] == Participant.Role.MENTOR,
                )  # fmt: skip
                for employee, department, level, left, promoted in people.values_list(
                    "id", "department_id", "level_then", "termination_date", "promoted"
                )
            ),
            key=repr,
        )
    return comparison, taking
