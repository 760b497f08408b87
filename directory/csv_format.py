"""The HR file's format: its columns, how a file is read, and how one row is checked.

Plain functions on plain data (no database), so the rules can be tested alone and shared
by the browser import, the API's bulk upsert and the benchmark.
"""

import codecs
import csv
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import normalize_email
from organizations.spreadsheet import FORMULA_STARTS

COLUMNS = [
    "employee_number",
    "email",
    "name",
    "department",
    # The department's division: its parent department, created as named like it.
    "division",
    "job_title",
    "job_level",
    "manager_employee_number",
    "hire_date",
    "termination_date",
    "location",
    "time_zone",
    "birth_year",
]
REQUIRED_COLUMNS = ["employee_number", "name"]
# The fields of Employee that a row sets (the manager and department are set by key).
EMPLOYEE_FIELDS = [
    "email",
    "name",
    "job_title",
    "job_level",
    "hire_date",
    "termination_date",
    "location",
    "time_zone",
    "birth_year",
]
MAX_LEVEL = 100
_TIME_ZONES = zoneinfo.available_timezones()


_NOT_UTF8 = "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
# How much of the file is read at a time (whole lines of it are decoded and handed on).
BLOCK_BYTES = 64 * 1024
# The characters a byte that is not UTF-8 becomes when decoded with "surrogateescape".
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, header): nothing row by row helps."""


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


# The template's sample rows import cleanly as they are: the manager's row is in the file.
TEMPLATE_ROWS = [
    [
        "E0042", "maria.costa@example.com", "Maria Costa", "Engineering", "Technology",
        "Engineering manager", "6", "", "2016-09-12", "", "Lisbon", "Europe/Lisbon", "1984",
    ],
    [
        "E1001", "ana.silva@example.com", "Ana Silva", "Engineering", "Technology",
        "Software engineer", "3", "E0042", "2023-04-01", "", "Lisbon", "Europe/Lisbon", "1998",
    ],
]  # fmt: skip


def template_csv() -> str:
    return "".join(",".join(line) + "\r\n" for line in [COLUMNS, *TEMPLATE_ROWS])


class _Lines:
    """The file's lines as text, each with its line break (\\r, \\n or \\r\\n, as a text
    file opened with newline="" gives them, so csv sees quoted line breaks as they are, and
    U+2028 and friends do not end a line), a leading byte-order mark dropped.

    The file is read a block at a time, cut after its last line break, and each line is
    decoded only as it is handed on: a line that is not UTF-8 is named by the record the
    csv reader is on when it takes that line, not by one some way before it (decoding a
    whole block, as a text file does, fails while the reader is still rows behind). Such a
    line is handed on all the same, its bad bytes escaped (surrogateescape), and
    ``undecodable`` set: the reader finishes the record, which shows the column."""

    def __init__(self, binary_stream):
        self._stream = binary_stream
        self.undecodable = False

    def __iter__(self) -> Iterator[str]:
        for block in self._blocks():
            for line in block.splitlines(keepends=True):
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    self.undecodable = True
                    text = line.decode("utf-8", "surrogateescape")
                yield text

    def _blocks(self) -> Iterator[bytes]:
        """The file's bytes in blocks of whole lines (the last block may lack its break).
        A line break is a single byte that no multi-byte UTF-8 character contains, so no
        character is ever cut between blocks."""
        parts: list[bytes] = []
        first = True
        while True:
            chunk = self._stream.read(BLOCK_BYTES)
            if chunk:
                # After the last LF, or the last CR that is not the chunk's final byte
                # (that one may be the first half of a CRLF).
                end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r", 0, len(chunk) - 1)) + 1
                if not end:
                    parts.append(chunk)
                    continue
                parts.append(chunk[:end])
            block = b"".join(parts)
            if first and block.startswith(codecs.BOM_UTF8):
                block = block[len(codecs.BOM_UTF8) :]
            first = False
            if block:
                yield block
            if not chunk:
                return
            parts = [chunk[end:]]


class HrFile:
    """An HR file being read: the header is checked on opening, then ``rows()`` streams
    (row number, raw values) for each data row, the header being row 1.

    Understands UTF-8 with or without a byte-order mark, and a comma or a semicolon
    between values (whichever the header uses). Memory does not grow with the file.
    Raises FileProblem for an unreadable file or header; bytes that are not UTF-8 are
    named by their row (the row of the record they are in) and column.
    """

    def __init__(self, binary_stream):
        self._lines = _Lines(binary_stream)
        self._line_iterator = iter(self._lines)
        header_line = next(self._line_iterator, "")
        if self._lines.undecodable:
            raise FileProblem(_("Row %(row)s: ") % {"row": 1} + _(_NOT_UTF8))
        if not header_line.strip():
            raise FileProblem(_("The file is empty."))
        self.delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.header = [_column_name(name) for name in header]
        missing = [name for name in REQUIRED_COLUMNS if name not in self.header]
        if missing:
            raise FileProblem(
                _(
                    "The file has no column %(columns)s. The first line must name the columns, "
                    "as in the template."
                )
                % {"columns": ", ".join(missing)}
            )
        duplicated = sorted({name for name in self.header if name and self.header.count(name) > 1})
        if duplicated:
            raise FileProblem(_("The column %(column)s appears twice.") % {"column": duplicated[0]})
        self.ignored_columns = [name for name in self.header if name and name not in COLUMNS]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        known = [(index, name) for index, name in enumerate(self.header) if name in COLUMNS]
        lines = self._lines
        row_number = 1
        try:
            for values in csv.reader(self._line_iterator, delimiter=self.delimiter):
                row_number += 1
                if lines.undecodable:
                    raise FileProblem(self._not_utf8(row_number, values))
                if not any(value.strip() for value in values):
                    continue
                yield (
                    row_number,
                    {
                        name: (_unescaped(values[index]) if index < len(values) else "")
                        for index, name in known
                    },
                )
            if lines.undecodable:  # never left unsaid, even if no record showed it
                raise FileProblem(self._not_utf8(row_number + 1))
        except csv.Error as exc:
            if lines.undecodable:  # the record with the bad bytes could not be finished
                raise FileProblem(self._not_utf8(row_number + 1)) from exc
            raise FileProblem(
                _("Row %(row)s cannot be read: %(error)s") % {"row": row_number + 1, "error": exc}
            ) from exc

    def _not_utf8(self, row: int, values: list[str] | None = None) -> str:
        """Which row holds bytes that are not UTF-8 and, when its values are known, in
        which column: the first value holding one (named as the header names it, or else
        by its place, the first being 1)."""
        index = next(
            (i for i, value in enumerate(values or []) if _ESCAPED_BYTE.search(value)), None
        )
        if index is None:
            where = _("Row %(row)s: ") % {"row": row}
        elif index < len(self.header) and self.header[index]:
            where = _("Row %(row)s, column “%(column)s”: ") % {
                "row": row,
                "column": self.header[index],
            }
        else:
            where = _("Row %(row)s, column %(number)s: ") % {"row": row, "number": index + 1}
        return where + _(_NOT_UTF8)


def _unescaped(value: str) -> str:
    """The cell as the directory holds it. Our export (organizations.spreadsheet.safe_cell)
    puts an apostrophe before a value that a spreadsheet would run as a formula; the file
    it gives comes back here, so that apostrophe is taken off again."""
    value = value.strip()
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        value = value[1:].strip()
    return value


def _column_name(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def check_row(row: int, raw: dict[str, str]) -> tuple[dict | None, list[Rejection]]:
    """The row's values, cleaned, or the reasons it is rejected (each naming its column).

    ``raw`` holds the columns the row has; the values returned hold the same columns."""
    problems: list[Rejection] = []
    values: dict = {}

    def reject(column: str, message: str) -> None:
        problems.append(Rejection(row, column, message))

    number = raw.get("employee_number", "")
    if not number:
        reject("employee_number", _("An employee number is required."))
    elif len(number) > 64:
        reject("employee_number", _("At most 64 characters."))
    values["employee_number"] = number

    name = raw.get("name", "")
    if not name:
        reject("name", _("A name is required."))
    values["name"] = name[:200]

    email = raw.get("email", "")
    if len(email) > 254:
        reject("email", _("An email address has at most 254 characters."))
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            reject("email", _("“%(value)s” is not an email address.") % {"value": email})
        email = normalize_email(email)
    values["email"] = email

    for column in ("hire_date", "termination_date"):
        values[column] = _date(raw.get(column, ""), column, reject)
    if (
        values["hire_date"]
        and values["termination_date"]
        and values["termination_date"] < values["hire_date"]
    ):
        reject("termination_date", _("The termination date is before the hire date."))

    values["job_level"] = _whole_number(raw.get("job_level", ""), "job_level", 0, MAX_LEVEL, reject)
    this_year = date.today().year
    values["birth_year"] = _whole_number(
        raw.get("birth_year", ""), "birth_year", 1900, this_year, reject
    )

    time_zone = raw.get("time_zone", "")
    if time_zone and time_zone not in _TIME_ZONES:
        reject(
            "time_zone",
            _("“%(value)s” is not a time zone such as Europe/Berlin.") % {"value": time_zone},
        )
    values["time_zone"] = time_zone

    manager = raw.get("manager_employee_number", "")
    if manager and manager == number:
        reject("manager_employee_number", _("An employee cannot be their own manager."))
    values["manager_employee_number"] = manager
    values["department"] = raw.get("department", "")[:200]
    division = raw.get("division", "")[:200]
    if division and division == values["department"]:
        reject("division", _("A department cannot be its own division."))
    elif division and "department" not in raw:
        reject("division", _("A division needs the department column on the same row."))
    elif division and not values["department"]:
        reject("division", _("A division is given, but no department."))
    values["division"] = division
    values["job_title"] = raw.get("job_title", "")[:200]
    values["location"] = raw.get("location", "")[:200]
    # Only the columns the file (or API row) has: a column left out keeps what the
    # directory holds, it does not blank it.
    values = {
        name: value for name, value in values.items() if name in raw or name in REQUIRED_COLUMNS
    }
    return (None if problems else values), problems


def _date(value: str, column: str, reject) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        reject(column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
        return None


def _whole_number(value: str, column: str, low: int, high: int, reject) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        reject(column, _("“%(value)s” is not a whole number.") % {"value": value})
        return None
    if not low <= number <= high:
        reject(
            column,
            _("%(value)s is outside %(low)s to %(high)s.")
            % {"value": number, "low": low, "high": high},
        )
        return None
    return number
