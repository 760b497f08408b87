"""The HR file's format: its columns, how a file is read, and how one row is checked.

Plain functions on plain data (no database), so the rules can be tested alone and shared
by the browser import, the API's bulk upsert and the benchmark.
"""

import codecs
import csv
import functools
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

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
# The most characters each column holds: the model's max_length for text (a longer value
# is refused by row and column, never cut), what the format allows for the others. The
# API's bulk upsert states the same limits and is sized by them (directory.serializers).
MAX_LENGTHS = {
    "employee_number": 64,
    "email": 254,
    "name": 200,
    "department": 200,
    "division": 200,
    "job_title": 200,
    "job_level": len(str(MAX_LEVEL)),
    "manager_employee_number": 64,
    "hire_date": len("YYYY-MM-DD"),
    "termination_date": len("YYYY-MM-DD"),
    "location": 200,
    "time_zone": 64,
    "birth_year": 4,
}
# Plausible dates and birth years: outside them, a value is a typing slip (a year 2202, a
# date in 1066) that would skew tenure and age figures unnoticed.
EARLIEST_DATE = date(1900, 1, 1)
YEARS_AHEAD = 5  # a hire or termination date may be planned this many years ahead
EARLIEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 14  # the birth year is at most this many years before this year
_TIME_ZONES = zoneinfo.available_timezones()
# ASCII digits only: int() and \d also take other scripts' digits (Arabic-Indic, Devanagari)
# and underscores ("1_000"), which no HR system means.
_WHOLE_NUMBER = re.compile(r"[0-9]+", re.ASCII)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


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
        self._peeked: str | None = None
        header_line = next(self._line_iterator, "")
        if self._lines.undecodable:
            raise FileProblem(self._at(1, None, _(_NOT_UTF8)))
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
        width = max((index + 1 for index, _name in known), default=0)
        lines = self._lines
        source = _Taken(self)
        row_number = 1
        try:
            for values in csv.reader(source, delimiter=self.delimiter):
                row_number += 1
                if lines.undecodable:
                    raise FileProblem(self._not_utf8(row_number, values))
                taken, source.taken = source.taken, []
                if not any(value.strip() for value in values):
                    continue
                if len(taken) > 1:
                    self._refuse_swallowed_rows(row_number, values, taken)
                if len(values) < width:
                    values += [""] * (width - len(values))
                row = {}
                for index, name in known:
                    value = values[index].strip()
                    if value[:1] == "'":
                        value = _unescaped(value)
                    row[name] = value
                yield row_number, row
            if lines.undecodable:  # never left unsaid, even if no record showed it
                raise FileProblem(self._not_utf8(row_number + 1))
        except csv.Error as exc:
            if lines.undecodable:  # the record with the bad bytes could not be finished
                raise FileProblem(self._not_utf8(row_number + 1)) from exc
            raise FileProblem(
                _("Row %(row)s cannot be read: %(error)s") % {"row": row_number + 1, "error": exc}
            ) from exc

    def _refuse_swallowed_rows(self, row: int, values: list[str], lines: list[str]) -> None:
        """A quoted value may hold line breaks (an address over two lines), but a quotation
        mark left open takes every line after it, up to the next quotation mark, into one
        value: the rows on those lines would vanish without a word, and the preview would
        call the file valid. Such a value is told by a line in it that reads as a row of
        its own (as many separators as the header), or by its running to the end of the
        file with its quotation mark still open. The whole file is refused then, naming
        where the value starts: rejecting only that row would still lose the others."""
        if len(lines) < 2:
            return
        index = next((i for i, value in enumerate(values) if _LINE_BREAK.search(value)), None)
        if index is None:
            return
        separators = len(self.header) - 1
        value_lines = _LINE_BREAK.split(values[index])
        looks_like_a_row = separators > 0 and any(
            line.count(self.delimiter) >= separators for line in value_lines[1:]
        )
        if looks_like_a_row or self._open_at_the_end(lines):
            raise FileProblem(
                self._at(
                    row,
                    index,
                    _(
                        "a quotation mark opens a value that runs over %(lines)s lines and "
                        'takes in the rows on them. Close the quotation mark (or double it, "", '
                        "inside a value) and upload the file again. Nothing was imported."
                    )
                    % {"lines": len(lines)},
                )
            )

    def _open_at_the_end(self, lines: list[str]) -> bool:
        """Whether the record read so far ends the file inside a quoted value: its
        quotation marks do not pair up, and nothing follows it."""
        if sum(line.count('"') for line in lines) % 2 == 0:
            return False
        self._peeked = next(self._line_iterator, None)
        return self._peeked is None

    def _at(self, row: int, index: int | None, problem: str) -> str:
        """ "Row 3, column “name”: <problem>", the column named as the header names it, or
        else by its place (the first being 1). One message per shape, the problem inside
        it, so a translator sees the whole sentence (not a prefix glued to another)."""
        if index is None:
            return _("Row %(row)s: %(problem)s") % {"row": row, "problem": problem}
        if index < len(self.header) and self.header[index]:
            return _("Row %(row)s, column “%(column)s”: %(problem)s") % {
                "row": row,
                "column": self.header[index],
                "problem": problem,
            }
        return _("Row %(row)s, column %(number)s: %(problem)s") % {
            "row": row,
            "number": index + 1,
            "problem": problem,
        }

    def _not_utf8(self, row: int, values: list[str] | None = None) -> str:
        """Which row holds bytes that are not UTF-8 and, when its values are known, in
        which column: the first value holding one (named as the header names it, or else
        by its place, the first being 1)."""
        index = next(
            (i for i, value in enumerate(values or []) if _ESCAPED_BYTE.search(value)), None
        )
        return self._at(row, index, _(_NOT_UTF8))


class _Taken:
    """The file's lines as the csv reader takes them, kept until the record they make is
    read (the reader reads no further than the record it is on), so that the lines of a
    record can be looked at with its values. A line looked at ahead (HrFile._peeked) is
    handed on first."""

    def __init__(self, hr_file: "HrFile"):
        self._file = hr_file
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._file._peeked
        if line is not None:
            self._file._peeked = None
        else:
            line = next(self._file._line_iterator)
        self.taken.append(line)
        return line


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

    ``raw`` holds the columns the row has; the values returned hold the same columns.
    Nothing is cut or coerced: a value too long, a character text cannot hold, a number
    or a date not written as the format says, is refused by its column.

    Run once per row of a file (50,000 and more), so a valid value costs one test each:
    no closure, lookups and today's date taken once per row."""
    problems: list[Rejection] = []
    values: dict = {}

    def reject(column: str, message: str) -> None:
        problems.append(Rejection(row, column, message))

    refused: set[str] = set()
    cleaned: dict[str, str] = {}
    for column, value in raw.items():
        limit = MAX_LENGTHS.get(column)
        if "\0" in value or (limit is not None and len(value) > limit):
            reject(column, _unstorable(value, column))
            refused.add(column)
            value = ""  # refused already; not refused again as empty or malformed
        cleaned[column] = value
    raw = cleaned
    given = raw.get

    number = given("employee_number", "")
    if not number and "employee_number" not in refused:
        reject("employee_number", _("An employee number is required."))
    values["employee_number"] = number

    name = given("name", "")
    if not name and "name" not in refused:
        reject("name", _("A name is required."))
    values["name"] = name

    email = given("email", "")
    if email:
        if not _is_email(email):
            reject("email", _("“%(value)s” is not an email address.") % {"value": email})
        email = normalize_email(email)
    values["email"] = email

    today = date.today()
    for column in ("hire_date", "termination_date"):
        values[column] = _date(given(column, ""), column, reject, today)
    if (
        values["hire_date"]
        and values["termination_date"]
        and values["termination_date"] < values["hire_date"]
    ):
        reject("termination_date", _("The termination date is before the hire date."))

    values["job_level"] = _whole_number(given("job_level", ""), "job_level", 0, MAX_LEVEL, reject)
    values["birth_year"] = _whole_number(
        given("birth_year", ""),
        "birth_year",
        EARLIEST_BIRTH_YEAR,
        today.year - YOUNGEST_AGE,
        reject,
    )

    time_zone = given("time_zone", "")
    if time_zone and time_zone not in _TIME_ZONES:
        reject(
            "time_zone",
            _("“%(value)s” is not a time zone such as Europe/Berlin.") % {"value": time_zone},
        )
    values["time_zone"] = time_zone

    manager = given("manager_employee_number", "")
    if manager and manager == number:
        reject("manager_employee_number", _("An employee cannot be their own manager."))
    values["manager_employee_number"] = manager
    values["department"] = given("department", "")
    division = given("division", "")
    if division and division == values["department"]:
        reject("division", _("A department cannot be its own division."))
    elif division and "department" not in raw:
        reject("division", _("A division needs the department column on the same row."))
    elif division and not values["department"]:
        reject("division", _("A division is given, but no department."))
    values["division"] = division
    values["job_title"] = given("job_title", "")
    values["location"] = given("location", "")
    if problems:
        return None, problems
    # Only the columns the file (or API row) has: a column left out keeps what the
    # directory holds, it does not blank it.
    return {
        name: value for name, value in values.items() if name in raw or name in REQUIRED_COLUMNS
    }, problems


# Django's EmailValidator, its regular expressions compiled once (they are lazy objects,
# each use going through a proxy) and a domain's verdict kept: a file's addresses share a
# handful of domains. tests/directory/test_import_bad_input.py holds it to the validator.
_EMAIL_USER = validate_email.user_regex.match


@functools.lru_cache(maxsize=256)
def _is_email_domain(domain: str) -> bool:
    return domain in validate_email.domain_allowlist or validate_email.validate_domain_part(domain)


def _is_email(value: str) -> bool:
    if "@" not in value or len(value) > 320:
        return False
    user, domain = value.rsplit("@", 1)
    return bool(_EMAIL_USER(user)) and _is_email_domain(domain)


def _unstorable(value: str, column: str) -> str | None:
    """Why the column cannot hold the value as it is, if it cannot: the checks every column
    shares, made before any other so that nothing is ever cut to fit."""
    if "\0" in value:
        # PostgreSQL's text cannot hold it: without this, the preview would accept the row
        # and applying would fail.
        return _("The value holds a NUL character (byte 0), which text cannot hold.")
    limit = MAX_LENGTHS.get(column)
    if limit is not None and len(value) > limit:
        return _("At most %(limit)s characters; this value has %(count)s.") % {
            "limit": limit,
            "count": len(value),
        }
    return None


def _date(value: str, column: str, reject, today: date) -> date | None:
    """A date written YYYY-MM-DD exactly (date.fromisoformat also takes 20240401 and week
    dates such as 2024-W14-1), within plausible years."""
    if not value:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        reject(column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
        return None
    latest = date(today.year + YEARS_AHEAD, 12, 31)
    if not EARLIEST_DATE <= day <= latest:
        reject(
            column,
            _("%(value)s is not between %(earliest)s and %(latest)s.")
            % {"value": value, "earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
        )
        return None
    return day


def _whole_number(value: str, column: str, low: int, high: int, reject) -> int | None:
    if not value:
        return None
    if not _WHOLE_NUMBER.fullmatch(value):
        reject(
            column,
            _("“%(value)s” is not a whole number written with the digits 0 to 9.")
            % {"value": value},
        )
        return None
    number = int(value)
    if not low <= number <= high:
        reject(
            column,
            _("%(value)s is outside %(low)s to %(high)s.")
            % {"value": number, "low": low, "high": high},
        )
        return None
    return number
