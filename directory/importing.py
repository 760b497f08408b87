"""Checking an HR file against the directory (the preview) and applying it, all or nothing.

Upsert by employee number; managers may appear after their reports; departments are
created as named. The plan holds the file's valid rows in memory (and the directory's
current state), nothing more, so memory grows with the rows themselves, not beyond.

This is the reference for the rules, and the path SQLite (the embedded default) and the
API's bulk upsert (a bounded number of rows) run. On PostgreSQL an uploaded file goes
through directory.staging, which applies the same rules in SQL with flat memory.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.csv_format import EMPLOYEE_FIELDS, Rejection, check_row
from directory.links import employees_link_members
from directory.models import Department, Employee, JobLevelChange
from organizations.models import Organization

BATCH_SIZE = 2000
# What a new employee gets for a column the file does not have.
_BLANK = {
    "email": "",
    "name": "",
    "job_title": "",
    "job_level": None,
    "hire_date": None,
    "termination_date": None,
    "location": "",
    "time_zone": "",
    "birth_year": None,
}
Progress = Callable[[int], None]


@dataclass
class _Current:
    id: int
    values: dict


@dataclass
class ImportPlan:
    rows: dict[str, dict] = field(default_factory=dict)  # employee number -> clean values
    rows_by_line: dict[str, int] = field(default_factory=dict)
    # The first row of every employee number in the file, accepted or not.
    first_line_of: dict[str, int] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    to_create: list[str] = field(default_factory=list)
    to_update: list[str] = field(default_factory=list)
    unchanged: int = 0
    total_rows: int = 0
    # Department name -> the division (parent department) the file gives it, "" for none,
    # where that differs from the directory.
    division_changes: dict[str, str] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return len({rejection.row for rejection in self.rejections})

    def accepted_digest(self) -> str:
        """Which rows of the file are accepted, in 64 characters: applying compares it with
        the preview's, so that exactly the rows the admin saw accepted are written."""
        digest = hashlib.sha256()
        for line, number in sorted((self.rows_by_line[n], n) for n in self.rows):
            digest.update(f"{line}\t{number}\n".encode())
        return digest.hexdigest()

    def summary(self, *, limit: int) -> "CheckSummary":
        return CheckSummary(
            total_rows=self.total_rows,
            to_create=len(self.to_create),
            to_update=len(self.to_update),
            unchanged=self.unchanged,
            rejected_rows=self.rejected_rows,
            divisions_changed=len(self.division_changes),
            rejections=[rejection.as_dict() for rejection in self.rejections[:limit]],
            accepted_digest=self.accepted_digest(),
        )


@dataclass(frozen=True)
class CheckSummary:
    """What the preview shows (the counts, the first rejections), and what applying
    compares: which rows are accepted, and the directory the check saw."""

    total_rows: int
    to_create: int
    to_update: int
    unchanged: int
    rejected_rows: int
    divisions_changed: int
    rejections: list[dict]
    accepted_digest: str
    # directory.staging only: a digest of the directory as the check saw it.
    directory_fingerprint: str = ""


EMPTY_DIGEST = hashlib.sha256().hexdigest()


def _current_directory(organization: Organization) -> dict[str, _Current]:
    columns = [
        "id",
        "employee_number",
        *EMPLOYEE_FIELDS,
        "department__name",
        "manager__employee_number",
    ]
    current = {}
    for record in (
        Employee.objects.filter(organization=organization)
        .values(*columns)
        .iterator(chunk_size=5000)
    ):
        values = {name: record[name] for name in EMPLOYEE_FIELDS}
        values["department"] = record["department__name"] or ""
        values["manager_employee_number"] = record["manager__employee_number"] or ""
        current[record["employee_number"]] = _Current(record["id"], values)
    return current


def _current_divisions(organization: Organization) -> dict[str, str]:
    """Each department's division (its parent's name), "" for none."""
    return {
        name: parent or ""
        for name, parent in Department.objects.filter(organization=organization).values_list(
            "name", "parent__name"
        )
    }


def plan_import(
    *,
    organization: Organization,
    rows: Iterable[tuple[int, dict]],
    progress: Progress | None = None,
) -> ImportPlan:
    """What applying these rows would do: counts and, for each rejected row, the column and
    the reason. Reads the directory; writes nothing."""
    plan = ImportPlan()
    current = _current_directory(organization)
    divisions = _current_divisions(organization)
    first_seen = plan.first_line_of
    for line, raw in rows:
        plan.total_rows += 1
        values, problems = check_row(line, raw)
        number = raw.get("employee_number", "")
        if number and number in first_seen:
            problems.append(
                Rejection(
                    line,
                    "employee_number",
                    _("Employee number %(number)s is also on row %(row)s.")
                    % {"number": number, "row": first_seen[number]},
                )
            )
            values = None
        elif number:
            first_seen[number] = line
        if problems:
            plan.rejections.extend(problems)
        else:
            plan.rows[number] = values
            plan.rows_by_line[number] = line
        if progress and plan.total_rows % BATCH_SIZE == 0:
            progress(plan.total_rows)
    # A rejection can make another row invalid (its manager, or an address it takes), so
    # check again until nothing more is rejected.
    while True:
        rejected = _reject_shared_emails(plan, current)
        rejected |= _reject_unknown_managers(plan, current)
        rejected |= _reject_manager_loops(plan, current)
        rejected |= _reject_division_conflicts(plan)
        rejected |= _reject_division_loops(plan, divisions)
        if not rejected:
            break
    plan.division_changes = {
        department: division
        for department, (division, _line) in _stated_divisions(plan).items()
        if divisions.get(department, "") != division
    }
    for number, values in plan.rows.items():
        existing = current.get(number)
        if existing is None:
            plan.to_create.append(number)
        elif any(
            values[name] != existing.values[name] for name in values if name in existing.values
        ):
            plan.to_update.append(number)
        else:
            plan.unchanged += 1
    plan.rejections.sort(key=lambda rejection: (rejection.row, rejection.column))
    return plan


def _reject(plan: ImportPlan, number: str, column: str, message: str) -> None:
    plan.rejections.append(Rejection(plan.rows_by_line[number], column, message))
    del plan.rows[number]


def _reject_shared_emails(plan: ImportPlan, current: dict[str, _Current]) -> bool:
    # Who holds each address once the file is applied: the file's rows, and the current
    # directory for everyone whose address the file does not set.
    holder = {
        c.values["email"]: n
        for n, c in current.items()
        if c.values["email"] and "email" not in plan.rows.get(n, {})
    }
    rejected_any = False
    for number in sorted(plan.rows, key=plan.rows_by_line.get):
        email = plan.rows[number].get("email")
        if not email:
            continue
        other = holder.get(email)
        if other is None:
            holder[email] = number
            continue
        where = (
            _("row %(row)s") % {"row": plan.rows_by_line[other]}
            if other in plan.rows
            else _("employee %(number)s") % {"number": other}
        )
        _reject(
            plan,
            number,
            "email",
            _("%(email)s already belongs to %(where)s.") % {"email": email, "where": where},
        )
        rejected_any = True
    return rejected_any


def _reject_unknown_managers(plan: ImportPlan, current: dict[str, _Current]) -> bool:
    rejected_any = False
    for number in list(plan.rows):
        manager = plan.rows[number].get("manager_employee_number")
        if manager and manager not in plan.rows and manager not in current:
            manager_line = plan.first_line_of.get(manager)
            message = (
                _("The manager's row %(row)s is rejected.") % {"row": manager_line}
                if manager_line
                else _("No employee has the number %(number)s, in the file or the directory.")
                % {"number": manager}
            )
            _reject(plan, number, "manager_employee_number", message)
            rejected_any = True
    return rejected_any


def _reject_manager_loops(plan: ImportPlan, current: dict[str, _Current]) -> bool:
    """Reject every row on a reporting line that loops back on itself once applied."""
    manager_of = {n: c.values["manager_employee_number"] for n, c in current.items()}
    manager_of.update(
        {
            n: values["manager_employee_number"]
            for n, values in plan.rows.items()
            if "manager_employee_number" in values
        }
    )
    rejected_any = False
    for number, message in manager_loop_messages(manager_of, list(plan.rows)):
        # A loop wholly inside the saved directory is not this file's doing.
        if number in plan.rows:
            _reject(plan, number, "manager_employee_number", message)
            rejected_any = True
    return rejected_any


def manager_loop_messages(manager_of: dict[str, str], starts: list[str]) -> list[tuple[str, str]]:
    """(employee number, message) for everyone on a reporting line that loops, found by
    walking up from each of ``starts`` in turn. Shared with the staged check
    (directory.staging), which hands it only the people no top is reachable from."""
    state: dict[str, int] = {}  # 1: on the walk now, 2: known to reach the top
    found = []
    for start in starts:
        walk = []
        node = start
        while node and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = manager_of.get(node, "")
        if node and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            message = _("The reporting line loops: %(chain)s.") % {
                "chain": " → ".join([*cycle, cycle[0]])
            }
            found.extend((number, message) for number in cycle)
        for visited in walk:
            state[visited] = 2
    return found


def _stated_divisions(plan: ImportPlan) -> dict[str, tuple[str, int]]:
    """Department -> (division, row) as the first accepted row that names the department
    says; rows of a file without the division column say nothing."""
    stated: dict[str, tuple[str, int]] = {}
    for number in sorted(plan.rows, key=plan.rows_by_line.get):
        values = plan.rows[number]
        if "division" in values and values.get("department"):
            stated.setdefault(values["department"], (values["division"], plan.rows_by_line[number]))
    return stated


def _reject_division_conflicts(plan: ImportPlan) -> bool:
    """A department has one division: a row that gives it another than an earlier row did
    is rejected."""
    stated = _stated_divisions(plan)
    rejected_any = False
    for number in sorted(plan.rows, key=plan.rows_by_line.get):
        values = plan.rows[number]
        if "division" not in values or not values.get("department"):
            continue
        division, first_row = stated[values["department"]]
        if values["division"] == division:
            continue
        parameters = {"row": first_row, "department": values["department"], "division": division}
        message = (
            _("Row %(row)s puts %(department)s in the division “%(division)s”.")
            if division
            else _("Row %(row)s leaves %(department)s without a division.")
        )
        _reject(
            plan,
            number,
            "division",
            message % parameters + " " + _("A department has one division."),
        )
        rejected_any = True
    return rejected_any


def _reject_division_loops(plan: ImportPlan, divisions: dict[str, str]) -> bool:
    """Reject the rows that would make departments their own divisions, through others."""
    stated = {
        department: division for department, (division, _row) in _stated_divisions(plan).items()
    }
    chains = division_loop_messages(divisions, stated)
    rejected_any = False
    for number in list(plan.rows):
        values = plan.rows[number]
        if "division" in values and values.get("department") in chains:
            _reject(plan, number, "division", chains[values["department"]])
            rejected_any = True
    return rejected_any


def division_loop_messages(divisions: dict[str, str], stated: dict[str, str]) -> dict[str, str]:
    """Department -> message, for each department the stated divisions (department ->
    division, in the file's order) would put on a loop of divisions."""
    parent_of = {**divisions, **stated}
    state: dict[str, int] = {}  # 1: on the walk now, 2: known to reach the top
    messages: dict[str, str] = {}
    for start in stated:
        walk = []
        node = start
        while node and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent_of.get(node, "")
        if node and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            message = _("The divisions loop: %(chain)s.") % {
                "chain": " → ".join([*cycle, cycle[0]])
            }
            messages.update(dict.fromkeys(cycle, message))
        for visited in walk:
            state[visited] = 2
    return messages


@dataclass
class ApplyResult:
    created: int
    updated: int
    unchanged: int
    rejected: int
    divisions_changed: int = 0


class RejectedRows(Exception):
    """The file has rejected rows and the admin did not choose to apply the valid ones."""


@transaction.atomic
def apply_plan(
    *,
    organization: Organization,
    plan: ImportPlan,
    valid_rows_only: bool,
    progress: Progress | None = None,
) -> ApplyResult:
    """Write the plan's valid rows in one transaction: all of them or, on any error, none."""
    if plan.rejections and not valid_rows_only:
        raise RejectedRows(
            ngettext(
                "%(count)s row is rejected; nothing was changed.",
                "%(count)s rows are rejected; nothing was changed.",
                plan.rejected_rows,
            )
            % {"count": plan.rejected_rows}
        )
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done)

    lock_directory(organization)
    names = {v["department"] for v in plan.rows.values() if "department" in v}
    department_ids = _ensure_departments(organization, names, plan.division_changes)
    current = _current_directory(organization)
    id_of = {number: record.id for number, record in current.items()}

    def employee(number: str, values: dict, pk=None) -> Employee:
        record = Employee(pk=pk, organization=organization, employee_number=number)
        for name in EMPLOYEE_FIELDS:
            setattr(record, name, values.get(name, _BLANK[name]))
        record.department_id = department_ids.get(values.get("department", ""))
        record.manager_id = id_of.get(values.get("manager_employee_number", ""))
        return record

    # Addresses that move: free them first, so that no row, new or changed, collides
    # with an address that is only leaving its old holder later in the same import.
    leaving = [
        Employee(pk=current[n].id, email="")
        for n in plan.to_update
        if "email" in plan.rows[n] and current[n].values["email"] not in ("", plan.rows[n]["email"])
    ]
    Employee.objects.bulk_update(leaving, ["email"], batch_size=BATCH_SIZE)

    # New people are written managers first, a level of the hierarchy at a time, so each
    # row gets its manager as it is inserted (an UPDATE pass over 50,000 rows is slow).
    created = 0
    for level in _levels(plan.to_create, plan.rows):
        batch = [employee(number, plan.rows[number]) for number in level]
        for start in range(0, len(batch), BATCH_SIZE):
            Employee.objects.bulk_create(batch[start : start + BATCH_SIZE])
            advance(len(batch[start : start + BATCH_SIZE]))
        id_of.update({record.employee_number: record.pk for record in batch})
        created += len(batch)

    # Changed people: only the columns their row has (an API row may carry a few).
    by_columns: dict[frozenset, list[Employee]] = {}
    for number in plan.to_update:
        values = plan.rows[number]
        record = employee(number, values, pk=current[number].id)
        by_columns.setdefault(frozenset(values), []).append(record)
    for columns, records in by_columns.items():
        fields = [name for name in EMPLOYEE_FIELDS if name in columns]
        fields += ["department"] if "department" in columns else []
        fields += ["manager"] if "manager_employee_number" in columns else []
        for start in range(0, len(records), BATCH_SIZE):
            Employee.objects.bulk_update(records[start : start + BATCH_SIZE], fields)
            advance(len(records[start : start + BATCH_SIZE]))
    changed = sum(len(records) for records in by_columns.values())
    _record_level_changes(organization, plan, current)
    employees_link_members(organization=organization)
    return ApplyResult(
        created, changed, plan.unchanged, plan.rejected_rows, len(plan.division_changes)
    )


def _record_level_changes(
    organization: Organization, plan: ImportPlan, current: dict[str, _Current]
) -> None:
    """Keep the history of job levels: promotions are read from it (reports.kpis)."""
    today = timezone.localdate()
    changes = [
        JobLevelChange(
            organization=organization,
            employee_id=current[number].id,
            from_level=current[number].values["job_level"],
            to_level=plan.rows[number]["job_level"],
            changed_on=today,
        )
        for number in plan.to_update
        if "job_level" in plan.rows[number]
        and plan.rows[number]["job_level"] != current[number].values["job_level"]
    ]
    JobLevelChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)


def lock_directory(organization: Organization) -> None:
    """One import at a time per organisation: two applying at once could each pass their
    checks and together break them (a reporting loop, a shared address)."""
    Organization.objects.select_for_update().filter(pk=organization.pk).get()


def _levels(numbers: list[str], rows: dict[str, dict]) -> list[list[str]]:
    """``numbers`` in hierarchy levels: first those whose manager is not among them (the
    top, or someone already in the directory), then their reports, and so on."""
    pending = set(numbers)
    levels = []
    while pending:
        level = [
            n
            for n in numbers
            if n in pending and rows[n].get("manager_employee_number") not in pending
        ]
        if not level:  # cannot happen after the loop check; fail loudly rather than spin
            raise RuntimeError("reporting lines loop among new employees")
        levels.append(level)
        pending.difference_update(level)
    return levels


def _ensure_departments(
    organization: Organization, names: set[str], division_changes: dict[str, str]
) -> dict[str, int]:
    """Create the departments and divisions the rows name, and move departments to the
    divisions the file gives them (checked for loops by the plan)."""
    names = (names | set(division_changes) | set(division_changes.values())) - {""}
    existing = dict(Department.objects.filter(organization=organization).values_list("name", "id"))
    Department.objects.bulk_create(
        [Department(organization=organization, name=name) for name in sorted(names - set(existing))]
    )
    ids = dict(Department.objects.filter(organization=organization).values_list("name", "id"))
    Department.objects.bulk_update(
        [
            Department(pk=ids[department], parent_id=ids.get(division))
            for department, division in sorted(division_changes.items())
        ],
        ["parent"],
        batch_size=BATCH_SIZE,
    )
    return ids
