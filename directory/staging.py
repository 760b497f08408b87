"""The import on PostgreSQL: the file is read once, streamed into a staging table
(ImportRow), checked there in SQL, and applied from it in SQL.

Why: a file checked in Python held all its rows (and the directory) in memory, was read
and checked twice (preview, then apply), and was written through 50,000 model instances.
Here memory does not grow with the file (a row is checked and handed to COPY, then
forgotten), the apply writes the rows the preview checked (checked again, in SQL, only if
the directory changed since), and every write is one set-based statement.

The rules are directory.importing's, which stays the reference and the path SQLite (the
embedded default) and the API's bulk upsert run; tests hold the two to the same outcome
(tests/directory/test_import_staging.py). Each cross-row rule keeps the reference's order
and rounds: a round rejects shared addresses, unknown managers, reporting loops, then
division conflicts and loops, and rounds repeat until one rejects nothing.

Tenancy: every statement names the organisation, and the staging table has row-level
security like every tenant-owned table. COPY FROM refuses tables with row-level security,
so rows are copied into a temporary table first (private to this connection and dropped
with the transaction), then inserted into the staging table, where the policy checks them.
"""

import json
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.csv_format import COLUMNS, EMPLOYEE_FIELDS, HrFile, check_row
from directory.importing import (
    _BLANK,
    BATCH_SIZE,
    EMPTY_DIGEST,
    ApplyResult,
    CheckSummary,
    Progress,
    _ensure_departments,
    division_loop_messages,
    manager_loop_messages,
)
from directory.links import employees_link_members
from directory.models import DirectoryImport

_ROWS = "directory_importrow"
# The rows being checked or applied: a temporary table (this connection's alone, dropped
# with the transaction, filled only from this import's rows) that can be analysed. The
# staging table cannot be (the app role does not own it), and without statistics the
# planner takes a fresh 50,000-row table for a few rows and joins it in nested loops.
_WORK = "directory_import_work"
_LINES = "directory_import_lines"
_WORK_COLUMNS = """
    id bigint, line integer, employee_number text, email text, name text, department text,
    division text, job_title text, job_level smallint, manager_employee_number text,
    hire_date date, termination_date date, location text, time_zone text,
    birth_year smallint, problems jsonb, rejection jsonb, rejected_in_round smallint
"""
_EMPLOYEES = "organizations_employee"
_DEPARTMENTS = "organizations_department"
# The staged row: its line in the file, the file's columns, and what was wrong with it.
_STAGED = ["line", *COLUMNS, "problems"]
_TEXT_BLANKS = {
    **dict.fromkeys(["employee_number", "department", "division", "manager_employee_number"], ""),
    **_BLANK,
}
# The import's rows that are accepted so far (a CTE's body).
_ACCEPTED = f"""
    SELECT * FROM {_WORK}
    WHERE problems = '[]'::jsonb AND rejection IS NULL
"""


def _format(template: str, *names: str) -> str:
    """A translated %(name)s message as a PostgreSQL format() string, its arguments in
    the order of ``names``."""
    return re.sub(
        r"%\((\w+)\)s|%",
        lambda match: f"%{names.index(match[1]) + 1}$s" if match[1] else "%%",
        template,
    )


def check_file(
    *, record: DirectoryImport, hr_file: HrFile, progress: Progress | None = None
) -> CheckSummary:
    """The preview: read the file, each row checked on its own as it goes, check the rows
    against each other and the directory, and keep them (ImportRow) for applying. Rows
    already staged for the import are replaced."""
    record.columns = [name for name in COLUMNS if name in hr_file.header]
    parameters = {"org": record.organization_id, "import": record.pk}
    total = 0
    # A savepoint: a file found unreadable halfway aborts the COPY, and the import's
    # failure must still be recorded in the transaction around it.
    with transaction.atomic(), connection.cursor() as cursor:
        discard_staged(record)
        _create_work(cursor)
        names = ", ".join(_STAGED)
        with cursor.cursor.copy(f"COPY {_WORK} ({names}) FROM STDIN") as copy:
            for line, raw in hr_file.rows():
                total += 1
                copy.write_row(_staged_row(line, raw))
                if progress and total % BATCH_SIZE == 0:
                    progress(total)
        _analyze_work(cursor)
        # A repeated employee number: every row after its first is refused, accepted or
        # not (the reference checks the number as the file gives it).
        cursor.execute(
            f"""
            UPDATE {_WORK} r SET problems = r.problems || jsonb_build_array(
                jsonb_build_array('employee_number',
                                  format(%(repeated)s, r.employee_number, f.line)))
            FROM (
                SELECT employee_number, min(line) AS line FROM {_WORK}
                WHERE employee_number <> '' GROUP BY employee_number HAVING count(*) > 1
            ) f
            WHERE r.employee_number = f.employee_number AND r.line > f.line
            """,
            {
                "repeated": _format(
                    _("Employee number %(number)s is also on row %(row)s."), "number", "row"
                ),
            },
        )
        summary = _check_work(cursor, record, total)
        cursor.execute(
            f"""
            INSERT INTO {_ROWS}
                (organization_id, directory_import_id, {names}, rejection, rejected_in_round)
            SELECT %(org)s, %(import)s, {names}, rejection, rejected_in_round FROM {_WORK}
            """,
            parameters,
        )
        cursor.execute(f"DROP TABLE {_WORK}")
    return summary


def _create_work(cursor) -> None:
    # The import's joins and sorts are over the whole file: in memory, not spilled to
    # disk in 4 MB pieces (for this transaction only).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute(f"DROP TABLE IF EXISTS {_WORK}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_WORK} ({_WORK_COLUMNS}) ON COMMIT DROP")


def _load_work(cursor, record: DirectoryImport) -> None:
    """The import's staged rows into the work table, analysed."""
    names = ", ".join(["id", *_STAGED, "rejection", "rejected_in_round"])
    _create_work(cursor)
    cursor.execute(
        f"""
        INSERT INTO {_WORK} ({names}) SELECT {names} FROM {_ROWS}
        WHERE organization_id = %s AND directory_import_id = %s
        """,
        [record.organization_id, record.pk],
    )
    _analyze_work(cursor)


def _analyze_work(cursor) -> None:
    """Statistics of the columns the checks join, group and filter on: the free text
    (names, titles, places) is never a key, and sampling it only slows ANALYZE down."""
    cursor.execute(
        f"ANALYZE {_WORK} (line, employee_number, email, department, division,"
        " manager_employee_number, problems, rejection)"
    )


def check_staged(*, record: DirectoryImport) -> CheckSummary:
    """Check the staged rows again, against the directory as it is now (the rows alone
    do not change: the file is not read again)."""
    with connection.cursor() as cursor:
        _load_work(cursor, record)
        summary = _check_work(cursor, record, record.total_rows)
        cursor.execute(
            f"""
            UPDATE {_ROWS} r
            SET rejection = w.rejection, rejected_in_round = w.rejected_in_round
            FROM {_WORK} w
            WHERE r.organization_id = %s AND r.directory_import_id = %s AND r.id = w.id
              AND r.rejection IS DISTINCT FROM w.rejection
            """,
            [record.organization_id, record.pk],
        )
        cursor.execute(f"DROP TABLE {_WORK}")
    return summary


_STAGED_DEFAULTS = [(name, _TEXT_BLANKS.get(name)) for name in _STAGED[1:-1]]


def _staged_row(line: int, raw: dict[str, str]) -> list:
    values, problems = check_row(line, raw)
    if values is None:
        values = {"employee_number": raw.get("employee_number", "")}
    get = values.get
    row = [line]
    row.extend([get(name, blank) for name, blank in _STAGED_DEFAULTS])
    row.append(
        _json([[problem.column, problem.message] for problem in problems]) if problems else "[]"
    )
    return row


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _check_work(cursor, record: DirectoryImport, total_rows: int) -> CheckSummary:
    """Check the work table's rows against each other and the directory (the reference's
    cross-row rules, in its rounds), and sum up what applying would do."""
    parameters = {"org": record.organization_id, "import": record.pk}
    cursor.execute(
        f"UPDATE {_WORK} SET rejection = NULL, rejected_in_round = NULL WHERE rejection IS NOT NULL"
    )
    current_divisions = _current_divisions(cursor, parameters)
    round_number = 0
    while True:
        round_number += 1
        rejected = 0
        for rule in (
            _reject_shared_emails,
            _reject_unknown_managers,
            _reject_manager_loops,
            _reject_division_conflicts,
        ):
            rejected += rule(cursor, record, {**parameters, "round": round_number})
        rejected += _reject_division_loops(
            cursor, record, {**parameters, "round": round_number}, current_divisions
        )
        if not rejected:
            break
    return _summary(cursor, record, parameters, total_rows, current_divisions)


def _reject_shared_emails(cursor, record: DirectoryImport, parameters: dict) -> int:
    """An address belongs to the first row that gives it, unless someone the file does
    not set an address for already has it."""
    if "email" not in record.columns:
        return 0
    cursor.execute(
        f"""
        WITH accepted AS MATERIALIZED ({_ACCEPTED}),
        kept AS (
            SELECT e.email, e.employee_number FROM {_EMPLOYEES} e
            WHERE e.organization_id = %(org)s AND e.email <> ''
              AND NOT EXISTS (
                  SELECT 1 FROM accepted a WHERE a.employee_number = e.employee_number)
        ),
        first_row AS (
            SELECT email, min(line) AS line FROM accepted WHERE email <> '' GROUP BY email
        )
        UPDATE {_WORK} r SET rejected_in_round = %(round)s,
            rejection = jsonb_build_array('email', format(%(message)s, a.email,
                CASE WHEN k.employee_number IS NOT NULL THEN format(%(employee)s, k.employee_number)
                     ELSE format(%(row)s, f.line) END))
        FROM accepted a
        JOIN first_row f ON f.email = a.email
        LEFT JOIN kept k ON k.email = a.email
        WHERE r.line = a.line AND (k.employee_number IS NOT NULL OR a.line > f.line)
        """,
        {
            **parameters,
            "message": _format(_("%(email)s already belongs to %(where)s."), "email", "where"),
            "employee": _format(_("employee %(number)s"), "number"),
            "row": _format(_("row %(row)s"), "row"),
        },
    )
    return cursor.rowcount


def _reject_unknown_managers(cursor, record: DirectoryImport, parameters: dict) -> int:
    """A manager must be in the directory or on an accepted row. As in the reference,
    which goes through the rows in order, a row whose manager's row was rejected earlier
    in the same round (on an earlier line) is rejected in that round too."""
    if "manager_employee_number" not in record.columns:
        return 0
    messages = {
        "rejected": _format(_("The manager's row %(row)s is rejected."), "row"),
        "unknown": _format(
            _("No employee has the number %(number)s, in the file or the directory."), "number"
        ),
    }
    total = 0
    while True:
        cursor.execute(
            f"""
            WITH first_line AS (
                SELECT employee_number, min(line) AS line FROM {_WORK}
                WHERE employee_number <> '' GROUP BY employee_number
            )
            UPDATE {_WORK} r SET rejected_in_round = %(round)s,
                rejection = jsonb_build_array('manager_employee_number',
                    CASE WHEN f.line IS NOT NULL THEN format(%(rejected)s, f.line)
                         ELSE format(%(unknown)s, a.manager_employee_number) END)
            FROM {_WORK} a
            LEFT JOIN first_line f ON f.employee_number = a.manager_employee_number
            -- The manager's own row, if it passed the row checks (one at most: a repeated
            -- number does not).
            LEFT JOIN {_WORK} m
                ON m.employee_number = a.manager_employee_number AND m.problems = '[]'::jsonb
            LEFT JOIN {_EMPLOYEES} e
                ON e.organization_id = %(org)s AND e.employee_number = a.manager_employee_number
            WHERE r.line = a.line AND a.problems = '[]'::jsonb AND a.rejection IS NULL
              AND a.manager_employee_number <> '' AND e.id IS NULL
              AND NOT (m.line IS NOT NULL AND COALESCE(
                  m.rejection IS NULL
                  OR (m.rejected_in_round = %(round)s AND m.line > a.line
                      AND m.rejection ->> 0 = 'manager_employee_number'),
                  false))
            """,
            {**parameters, **messages},
        )
        if not cursor.rowcount:
            return total
        total += cursor.rowcount


def _reject_manager_loops(cursor, record: DirectoryImport, parameters: dict) -> int:
    """Everyone no top can be reached from (walking down from the people with no
    manager) is on a loop or below one: only those few go to the reference's walk."""
    if "manager_employee_number" in record.columns:
        file_manager = "a.manager_employee_number"
    else:
        file_manager = "COALESCE(cm.employee_number, '')"
    # The reporting lines once applied, in a table of their own: the walk down from the
    # top looks up each person's reports by index (over a CTE it was a nested loop).
    cursor.execute(f"DROP TABLE IF EXISTS {_LINES}")
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {_LINES} ON COMMIT DROP AS
        WITH accepted AS MATERIALIZED ({_ACCEPTED})
        SELECT a.employee_number AS number, {file_manager} AS manager, a.line
        FROM accepted a
        LEFT JOIN {_EMPLOYEES} c
            ON c.organization_id = %(org)s AND c.employee_number = a.employee_number
        LEFT JOIN {_EMPLOYEES} cm ON cm.id = c.manager_id
        UNION ALL
        SELECT e.employee_number, COALESCE(m.employee_number, ''), NULL
        FROM {_EMPLOYEES} e LEFT JOIN {_EMPLOYEES} m ON m.id = e.manager_id
        WHERE e.organization_id = %(org)s
          AND NOT EXISTS (SELECT 1 FROM accepted a WHERE a.employee_number = e.employee_number)
        """,
        parameters,
    )
    cursor.execute(f"CREATE INDEX ON {_LINES} (manager)")
    cursor.execute(f"ANALYZE {_LINES}")
    reached = f"""
        WITH RECURSIVE reached (number) AS (
            SELECT number FROM {_LINES} l
            WHERE manager = '' OR NOT EXISTS (SELECT 1 FROM {_LINES} t WHERE t.number = l.manager)
            UNION ALL
            SELECT l.number FROM {_LINES} l JOIN reached r ON l.manager = r.number
        )
    """
    # Usually everyone is reached: counting says so without the anti-join (whose
    # estimate of the walk, millions of rows, would spill its hash to disk).
    cursor.execute(
        f"{reached} SELECT (SELECT count(*) FROM reached) = (SELECT count(*) FROM {_LINES})"
    )
    if cursor.fetchone()[0]:
        cursor.execute(f"DROP TABLE {_LINES}")
        return 0
    cursor.execute(
        f"""
        {reached}
        SELECT number, manager, line FROM {_LINES} l
        WHERE NOT EXISTS (SELECT 1 FROM reached r WHERE r.number = l.number)
        ORDER BY line NULLS LAST
        """
    )
    unreached = cursor.fetchall()
    cursor.execute(f"DROP TABLE {_LINES}")
    if not unreached:
        return 0
    manager_of = {number: manager for number, manager, _line in unreached}
    starts = [number for number, _manager, line in unreached if line is not None]
    on_file = set(starts)
    found = [
        (number, message)
        for number, message in manager_loop_messages(manager_of, starts)
        if number in on_file
    ]
    return _reject_numbers(cursor, parameters, "manager_employee_number", found)


def _reject_numbers(cursor, parameters: dict, column: str, found: list[tuple[str, str]]) -> int:
    if not found:
        return 0
    cursor.execute(
        f"""
        UPDATE {_WORK} r SET rejected_in_round = %(round)s,
            rejection = jsonb_build_array(%(column)s, u.message)
        FROM unnest(%(numbers)s::text[], %(messages)s::text[]) AS u(number, message)
        WHERE r.employee_number = u.number
          AND r.problems = '[]'::jsonb AND r.rejection IS NULL
        """,
        {
            **parameters,
            "column": column,
            "numbers": [number for number, _message in found],
            "messages": [message for _number, message in found],
        },
    )
    return cursor.rowcount


_STATED = """
    stated AS (
        SELECT DISTINCT ON (department) department, division, line FROM accepted
        WHERE department <> '' ORDER BY department, line
    )
"""


def _reject_division_conflicts(cursor, record: DirectoryImport, parameters: dict) -> int:
    """A department has one division: the first accepted row naming it says which."""
    if "division" not in record.columns:
        return 0
    cursor.execute(
        f"""
        WITH accepted AS MATERIALIZED ({_ACCEPTED}), {_STATED}
        UPDATE {_WORK} r SET rejected_in_round = %(round)s,
            rejection = jsonb_build_array('division',
                CASE WHEN s.division <> ''
                     THEN format(%(within)s, s.line, a.department, s.division)
                     ELSE format(%(without)s, s.line, a.department) END
                || ' ' || %(one)s)
        FROM accepted a JOIN stated s ON s.department = a.department
        WHERE r.line = a.line AND a.division <> s.division
        """,
        {
            **parameters,
            "within": _format(
                _("Row %(row)s puts %(department)s in the division “%(division)s”."),
                "row",
                "department",
                "division",
            ),
            "without": _format(
                _("Row %(row)s leaves %(department)s without a division."), "row", "department"
            ),
            "one": _("A department has one division."),
        },
    )
    return cursor.rowcount


def _stated_divisions(cursor, record: DirectoryImport, parameters: dict) -> dict[str, str]:
    """Department -> division, as the first accepted row naming it says (one per
    department: a few rows, whatever the file's size), in the file's order."""
    if "division" not in record.columns:
        return {}
    cursor.execute(
        f"""
        WITH accepted AS MATERIALIZED ({_ACCEPTED}), {_STATED}
        SELECT department, division FROM stated ORDER BY line
        """,
        parameters,
    )
    return dict(cursor.fetchall())


def _current_divisions(cursor, parameters: dict) -> dict[str, str]:
    cursor.execute(
        f"""
        SELECT d.name, COALESCE(p.name, '') FROM {_DEPARTMENTS} d
        LEFT JOIN {_DEPARTMENTS} p ON p.id = d.parent_id
        WHERE d.organization_id = %(org)s
        """,
        parameters,
    )
    return dict(cursor.fetchall())


def _reject_division_loops(
    cursor, record: DirectoryImport, parameters: dict, current: dict[str, str]
) -> int:
    messages = division_loop_messages(current, _stated_divisions(cursor, record, parameters))
    if not messages:
        return 0
    cursor.execute(
        f"""
        UPDATE {_WORK} r SET rejected_in_round = %(round)s,
            rejection = jsonb_build_array('division', u.message)
        FROM unnest(%(departments)s::text[], %(messages)s::text[]) AS u(department, message)
        WHERE r.department = u.department
          AND r.problems = '[]'::jsonb AND r.rejection IS NULL
        """,
        {**parameters, "departments": list(messages), "messages": list(messages.values())},
    )
    return cursor.rowcount


def _changed(columns: list[str]) -> str:
    """Whether an accepted row ``a`` changes the employee ``e`` (department ``d`` and
    manager ``m`` as the directory has them): a column the file has differs."""
    tests = [f"a.{name} IS DISTINCT FROM e.{name}" for name in EMPLOYEE_FIELDS if name in columns]
    if "department" in columns:
        tests.append("a.department <> COALESCE(d.name, '')")
    if "manager_employee_number" in columns:
        tests.append("a.manager_employee_number <> COALESCE(m.employee_number, '')")
    return " OR ".join(tests) or "false"


def _summary(
    cursor, record: DirectoryImport, parameters: dict, total_rows: int, divisions: dict
) -> CheckSummary:
    cursor.execute(
        f"""
        WITH accepted AS MATERIALIZED ({_ACCEPTED})
        SELECT
            count(*) FILTER (WHERE e.id IS NULL),
            count(*) FILTER (WHERE e.id IS NOT NULL AND ({_changed(record.columns)})),
            count(e.id),
            encode(sha256(convert_to(
                string_agg(a.line || E'\\t' || a.employee_number || E'\\n', '' ORDER BY a.line),
                'UTF8')), 'hex')
        FROM accepted a
        LEFT JOIN {_EMPLOYEES} e
            ON e.organization_id = %(org)s AND e.employee_number = a.employee_number
        LEFT JOIN {_DEPARTMENTS} d ON d.id = e.department_id
        LEFT JOIN {_EMPLOYEES} m ON m.id = e.manager_id
        """,
        parameters,
    )
    to_create, to_update, existing, digest = cursor.fetchone()
    cursor.execute(
        f"""
        SELECT count(*) FROM {_WORK}
        WHERE (problems <> '[]'::jsonb OR rejection IS NOT NULL)
        """,
        parameters,
    )
    (rejected_rows,) = cursor.fetchone()
    stated = _stated_divisions(cursor, record, parameters)
    return CheckSummary(
        total_rows=total_rows,
        to_create=to_create,
        to_update=to_update,
        unchanged=existing - to_update,
        rejected_rows=rejected_rows,
        divisions_changed=sum(
            1
            for department, division in stated.items()
            if divisions.get(department, "") != division
        ),
        rejections=_first_rejections(cursor, parameters),
        accepted_digest=digest or EMPTY_DIGEST,
        directory_fingerprint=directory_fingerprint(cursor, parameters),
    )


def _first_rejections(cursor, parameters: dict, limit: int = 1000) -> list[dict]:
    """The first ``limit`` rejections, by row then column, as the reference orders them."""
    cursor.execute(
        f"""
        SELECT line, problems, rejection FROM {_WORK}
        WHERE (problems <> '[]'::jsonb OR rejection IS NOT NULL)
        ORDER BY line LIMIT %(limit)s
        """,
        {**parameters, "limit": limit},
    )
    found: list[dict] = []
    for line, problems, rejection in cursor.fetchall():
        # Django's PostgreSQL backend hands jsonb over as text (JSONField decodes it).
        reasons = [*json.loads(problems), *([json.loads(rejection)] if rejection else [])]
        for column, message in sorted(reasons, key=lambda reason: reason[0]):
            found.append({"row": line, "column": column, "message": message})
    return found[:limit]


def directory_fingerprint(cursor, parameters: dict) -> str:
    """A digest of the organisation's employees and departments: while it is the one the
    check saw, the check's outcome stands."""
    cursor.execute(
        f"""
        SELECT md5(
            COALESCE((SELECT string_agg(e::text, E'\\n' ORDER BY e.id) FROM {_EMPLOYEES} e
                      WHERE e.organization_id = %(org)s), '')
            || E'\\f' ||
            COALESCE((SELECT string_agg(d::text, E'\\n' ORDER BY d.id) FROM {_DEPARTMENTS} d
                      WHERE d.organization_id = %(org)s), ''))
        """,
        parameters,
    )
    return cursor.fetchone()[0]


def current_fingerprint(record: DirectoryImport) -> str:
    with connection.cursor() as cursor:
        return directory_fingerprint(cursor, {"org": record.organization_id})


def apply_staged(*, record: DirectoryImport, progress: Progress | None = None) -> ApplyResult:
    """Write the import's accepted rows: the caller holds the directory's lock, has made
    sure the check still stands, and runs this in a transaction (all or nothing)."""
    parameters = {"org": record.organization_id, "import": record.pk}
    columns = record.columns
    with connection.cursor() as cursor:
        _load_work(cursor, record)
        names, division_changes = set(), {}
        if "department" in columns:
            cursor.execute(
                f"WITH accepted AS ({_ACCEPTED}) SELECT DISTINCT department FROM accepted",
                parameters,
            )
            names = {name for (name,) in cursor.fetchall()}
            current = _current_divisions(cursor, parameters)
            division_changes = {
                department: division
                for department, division in _stated_divisions(cursor, record, parameters).items()
                if current.get(department, "") != division
            }
        _ensure_departments(record.organization, names, division_changes)
        if progress:
            progress(0)
        # The check's counts hold (the directory is as it saw it, or it was checked
        # again): with nobody to update, the statements that only change existing people
        # are skipped (each joins every row of the file to find nothing).
        if "email" in columns and record.to_update:
            # Addresses that move are freed first, so that no row takes an address that
            # is only leaving its holder later in the same statement.
            cursor.execute(
                f"""
                WITH accepted AS ({_ACCEPTED})
                UPDATE {_EMPLOYEES} e SET email = ''
                FROM accepted a
                WHERE e.organization_id = %(org)s AND e.employee_number = a.employee_number
                  AND e.email <> '' AND e.email <> a.email
                """,
                parameters,
            )
        if "job_level" in columns and record.to_update:
            # The history of levels, read by the promotion figures (reports.kpis).
            cursor.execute(
                f"""
                WITH accepted AS ({_ACCEPTED})
                INSERT INTO organizations_joblevelchange
                    (organization_id, employee_id, from_level, to_level, changed_on)
                SELECT %(org)s, e.id, e.job_level, a.job_level, %(today)s
                FROM accepted a JOIN {_EMPLOYEES} e
                    ON e.organization_id = %(org)s AND e.employee_number = a.employee_number
                WHERE a.job_level IS DISTINCT FROM e.job_level
                ORDER BY a.line
                """,
                {**parameters, "today": timezone.localdate()},
            )
        created = _insert_new(cursor, parameters) if record.to_create else 0
        updated = _update_changed(cursor, parameters, columns) if record.to_update else 0
        cursor.execute(f"DROP TABLE {_WORK}")
    discard_staged(record)
    employees_link_members(organization=record.organization)
    if progress:
        progress(created + updated)
    return ApplyResult(created, updated, record.unchanged, record.rejected, len(division_changes))


def _insert_new(cursor, parameters: dict) -> int:
    """New people in one statement: their ids are drawn first, so that a new person's
    manager, new too, is known by id as the row goes in (the same-organisation key is
    checked at commit)."""
    fields = ", ".join(EMPLOYEE_FIELDS)
    cursor.execute(
        f"""
        WITH accepted AS ({_ACCEPTED}),
        new AS MATERIALIZED (
            SELECT a.*, nextval(pg_get_serial_sequence('{_EMPLOYEES}', 'id')) AS new_id
            FROM accepted a
            WHERE NOT EXISTS (
                SELECT 1 FROM {_EMPLOYEES} e
                WHERE e.organization_id = %(org)s AND e.employee_number = a.employee_number)
        )
        INSERT INTO {_EMPLOYEES}
            (id, organization_id, employee_number, {fields}, department_id, manager_id,
             updated_at)
        SELECT n.new_id, %(org)s, n.employee_number,
            {", ".join(f"n.{name}" for name in EMPLOYEE_FIELDS)},
            d.id, COALESCE(c.id, nm.new_id), now()
        FROM new n
        LEFT JOIN {_DEPARTMENTS} d ON d.organization_id = %(org)s AND d.name = n.department
        LEFT JOIN {_EMPLOYEES} c
            ON c.organization_id = %(org)s AND c.employee_number = n.manager_employee_number
        LEFT JOIN new nm ON nm.employee_number = n.manager_employee_number
        ORDER BY n.new_id
        """,
        parameters,
    )
    return cursor.rowcount


def _update_changed(cursor, parameters: dict, columns: list[str]) -> int:
    """Changed people: only the columns the file has; a person whose row changes
    nothing is not written."""
    settings = [f"{name} = a.{name}" for name in EMPLOYEE_FIELDS if name in columns]
    tests = [f"a.{name} IS DISTINCT FROM e.{name}" for name in EMPLOYEE_FIELDS if name in columns]
    if "department" in columns:
        settings.append("department_id = a.department_id")
        tests.append("a.department_id IS DISTINCT FROM e.department_id")
    if "manager_employee_number" in columns:
        settings.append("manager_id = a.manager_id")
        tests.append("a.manager_id IS DISTINCT FROM e.manager_id")
    if not settings:
        return 0
    cursor.execute(
        f"""
        WITH accepted AS ({_ACCEPTED})
        UPDATE {_EMPLOYEES} e SET {", ".join(settings)}, updated_at = now()
        FROM (
            SELECT a.*, d.id AS department_id, m.id AS manager_id
            FROM accepted a
            LEFT JOIN {_DEPARTMENTS} d ON d.organization_id = %(org)s AND d.name = a.department
            LEFT JOIN {_EMPLOYEES} m
                ON m.organization_id = %(org)s AND m.employee_number = a.manager_employee_number
        ) a
        WHERE e.organization_id = %(org)s AND e.employee_number = a.employee_number
          AND ({" OR ".join(tests)})
        """,
        parameters,
    )
    return cursor.rowcount


def discard_staged(record: DirectoryImport) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {_ROWS} WHERE organization_id = %s AND directory_import_id = %s",
            [record.organization_id, record.pk],
        )
