"""An HR file with bytes that are not UTF-8: the import fails as a whole, naming the row
(the CSV record, numbered as the rest of the import numbers rows: the header is row 1)
and the column where the bad bytes are, however far into the file they are, and however
the file is laid out. Nothing is applied.

The files are built byte by byte (``Roster``) so that each test knows the exact row of
the bad bytes, and can put them where a reader decoding ahead of the csv reader gets it
wrong: far past the first 8 KB, and across the boundaries of the blocks it reads."""

import codecs
import io

import pytest
from django.core.files.base import ContentFile

from directory.csv_format import BLOCK_BYTES, COLUMNS, FileProblem, HrFile
from directory.importing import plan_import
from directory.models import Department, DirectoryImport, Employee
from directory.services import directory_import_check
from organizations.tenancy import tenant_context
from tests.upload_files import upload

pytestmark = pytest.mark.django_db

NOT_UTF8 = "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
# Far enough into the file that the bad bytes are many 8 KB chunks past the header.
FAR = 3002
# Not UTF-8: Latin-1 é, a lone continuation byte, a lead byte followed by ASCII, a
# 3-byte sequence cut short, and an encoded surrogate.
BAD_BYTES = [b"\xe9", b"\x80", b"\xc3(", b"\xe2\x82", b"\xed\xa0\x80"]


def _not_utf8(row: int, column: str | int | None = None) -> str:
    """The failure expected: the column by its name or, if the header has none for it, by
    its place (the first being 1)."""
    if column is None:
        return f"Row {row}: {NOT_UTF8}"
    if isinstance(column, int):
        return f"Row {row}, column {column}: {NOT_UTF8}"
    return f"Row {row}, column “{column}”: {NOT_UTF8}"


class Roster:
    """An HR file built byte by byte. ``add`` returns the row number of the row it adds:
    the number of its CSV record, the header being row 1."""

    def __init__(self, *, separator=b",", newline=b"\n", bom=False, header=None):
        self.separator, self.newline = separator, newline
        self.content = bytearray(codecs.BOM_UTF8 if bom else b"")
        self.rows = 0
        self._record(header if header is not None else [c.encode() for c in COLUMNS])

    def _record(self, fields: list[bytes], end=True) -> int:
        self.content += self.separator.join(self._quoted(field) for field in fields)
        if end:
            self.content += self.newline
        self.rows += 1
        return self.rows

    def _quoted(self, field: bytes) -> bytes:
        if any(c in field for c in (self.separator, b'"', b"\r", b"\n")):
            return b'"' + field.replace(b'"', b'""') + b'"'
        return field

    def add(self, number: int, end=True, extra: tuple[bytes, ...] = (), **fields) -> int:
        return self._record(self._fields(number, fields, extra), end=end)

    def line(self, number: int, **fields) -> bytes:
        """The row ``add`` would add, without its line break."""
        return self.separator.join(self._quoted(field) for field in self._fields(number, fields))

    def _fields(self, number: int, fields: dict, extra: tuple[bytes, ...] = ()) -> list[bytes]:
        values = {
            "employee_number": f"E{number:05d}", "email": f"person{number}@acme.example",
            "name": f"Person {number}", "department": "Engineering", "division": "Technology",
            "job_title": "Engineer", "job_level": "3", "manager_employee_number": "",
            "hire_date": "2020-01-01", "termination_date": "", "location": "Lisbon",
            "time_zone": "Europe/Lisbon", "birth_year": "1990",
        }  # fmt: skip
        values.update(fields)
        encoded = [
            values[c] if isinstance(values[c], bytes) else values[c].encode() for c in COLUMNS
        ]
        return [*encoded, *extra]

    def blank(self) -> int:
        self.content += self.newline
        self.rows += 1
        return self.rows

    def fill(self, count: int, start: int = 1, **fields) -> None:
        for number in range(start, start + count):
            self.add(number, **fields)

    def fill_to(self, offset: int, room: int = 200) -> int:
        """Good rows until the file is ``room`` bytes or less short of ``offset`` (200: a
        name that fills the gap stays within the column's 200 characters); returns the
        number for the next row."""
        number = 1
        while len(self.content) < offset - room:
            self.add(number)
            number += 1
        return number

    def bytes(self) -> bytes:
        return bytes(self.content)


def _check(acme, content: bytes) -> DirectoryImport:
    """The import's check of this file, as the app runs it once the file is stored (the
    upload's own look at the file's start is not in the way: see the last test)."""
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme, original_name="roster.csv", file=ContentFile(content, "roster.csv")
        )
        return directory_import_check(directory_import=record)


def _failure(acme, content: bytes) -> str:
    record = _check(acme, content)
    assert record.status == DirectoryImport.Status.FAILED
    with tenant_context(organization=acme):
        assert (Employee.objects.count(), Department.objects.count()) == (0, 0)
    return record.failure


# --- Far into the file, however it is laid out ---------------------------------------


@pytest.mark.parametrize("bad", BAD_BYTES)
def test_a_bad_byte_far_into_the_file_names_its_row_and_column(acme, bad):
    roster = Roster()
    roster.fill(FAR)
    row = roster.add(9999, name=b"Zo" + bad + b" Silva")
    roster.fill(50, start=10000)

    assert row == FAR + 2  # the header is row 1
    assert _failure(acme, roster.bytes()) == _not_utf8(row, "name")


def test_crlf_line_ends(acme):
    roster = Roster(newline=b"\r\n")
    roster.fill(FAR)
    row = roster.add(9999, location=b"Bras\xedlia")
    roster.fill(50, start=10000)

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "location")


def test_a_byte_order_mark_and_semicolons(acme):
    roster = Roster(separator=b";", bom=True)
    roster.fill(FAR)
    row = roster.add(9999, job_title=b"Ing\xe9nieur; senior")
    roster.fill(50, start=10000)

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "job_title")


def test_cr_only_line_ends(acme):
    roster = Roster(newline=b"\r")
    roster.fill(FAR)
    row = roster.add(9999, department=b"F\xfcr alle")
    roster.fill(50, start=10000)

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "department")


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_rows_spanning_several_lines_count_as_one_row(acme, newline):
    """A quoted value may hold line breaks: a row is a CSV record, not a line."""
    roster = Roster(newline=newline)
    roster.fill(1000)
    roster.fill(1000, start=2000, location="Lisbon" + newline.decode() + "Floor 2\n3rd desk")
    roster.blank()  # an empty line is a row too, as the import counts them
    roster.fill(1000, start=4000)
    # On the third line of its row, inside a value that began on the first.
    row = roster.add(9999, location=b"Building 1\nFloor 2\nDesk \xe9" + newline + b"(east)")
    roster.fill(50, start=10000)

    assert row == 3003
    assert roster.bytes().count(b"\n") > row + 2000
    assert _failure(acme, roster.bytes()) == _not_utf8(row, "location")


def test_a_bad_byte_on_a_later_line_of_a_row_after_a_value_spanning_lines(acme):
    roster = Roster()
    roster.fill(FAR, location="Lisbon\nFloor 2")
    row = roster.add(9999, location="Lisbon\nFloor 3", time_zone=b"Europe/Z\xfcrich")
    roster.fill(50, start=10000)

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "time_zone")


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"newline": b"\r\n"},
        {"newline": b"\r"},
        {"separator": b";", "bom": True},
        {"separator": b";", "bom": True, "newline": b"\r\n"},
    ],
)
def test_the_row_named_is_the_row_the_import_names_for_the_same_place(acme, layout):
    """The same file twice: once with bad bytes in a value, once with a bad date there
    instead. The import's rejection of that date names the row and column the encoding
    error names."""

    def roster_with(hire_date: bytes) -> bytes:
        roster = Roster(**layout)
        roster.fill(700)
        roster.fill(700, start=1000, job_title="Engineer\nand mentor")
        roster.blank()
        roster.blank()
        roster.fill(700, start=2000, location="Lisbon\r\nFloor 2")
        roster.add(9999, location="Lisbon\n\nFloor 3", hire_date=hire_date)
        roster.fill(700, start=3000)
        return roster.bytes()

    with tenant_context(organization=acme):
        plan = plan_import(
            organization=acme, rows=HrFile(io.BytesIO(roster_with("2020-01-0§".encode()))).rows()
        )
    [rejection] = plan.rejections
    assert rejection.row == 2104 and rejection.column == "hire_date"

    failure = _failure(acme, roster_with("2020-01-0§".encode("latin-1")))

    assert failure == _not_utf8(rejection.row, rejection.column)


# --- At the edges of the file -----------------------------------------------------------


@pytest.mark.parametrize("start", [b"\xff\xfe", b"\x80", b"\xef\xbb", b"\xef\xbb\xbf\xff"])
def test_bad_bytes_at_the_very_start_are_row_1(acme, start):
    roster = Roster()
    roster.fill(FAR)

    assert _failure(acme, start + roster.bytes()) == _not_utf8(1)


def test_bad_bytes_in_the_header_are_row_1(acme):
    roster = Roster(header=[*(c.encode() for c in COLUMNS), b"d\xe9partement"])
    roster.fill(FAR)

    assert _failure(acme, roster.bytes()) == _not_utf8(1)


@pytest.mark.parametrize("end", [True, False], ids=["line-break-at-end", "no-line-break-at-end"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_bad_bytes_in_the_last_row(acme, end, newline):
    roster = Roster(newline=newline)
    roster.fill(FAR)
    row = roster.add(9999, end=end, birth_year=b"19\xb790")

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "birth_year")


def test_bad_bytes_in_the_last_row_of_a_short_file(acme):
    roster = Roster()
    roster.fill(3)
    row = roster.add(9999, name=b"Zo\xeb")

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "name")


def test_bad_bytes_in_the_first_row(acme):
    roster = Roster()
    row = roster.add(9999, name=b"Zo\xeb")
    roster.fill(FAR)

    assert row == 2
    assert _failure(acme, roster.bytes()) == _not_utf8(row, "name")


def test_bad_bytes_in_a_value_the_header_has_no_name_for(acme):
    roster = Roster()
    roster.fill(FAR)
    row = roster.add(9999, extra=(b"note: caf\xe9",))

    assert _failure(acme, roster.bytes()) == _not_utf8(row, len(COLUMNS) + 1)


# --- Across the boundaries of the blocks the file is read in -------------------------

# 8 KB: what a text file decodes at a time; BLOCK_BYTES: what HrFile reads at a time.
BOUNDARIES = sorted({8192, 3 * 8192, BLOCK_BYTES, 2 * BLOCK_BYTES})


def _name_at(roster: Roster, number: int, offset: int) -> str:
    """Padding for the name of row ``number``, added next, so that what follows the padding
    starts at byte ``offset`` of the file."""
    before = len(roster.content) + len(roster.line(number).split(roster.separator + b"Person")[0])
    return "x" * (offset - before - 1)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("bad", [b"\xc3(", b"\xe2\x82(", b"\xf0\x9f\x98("], ids=["2", "3", "4"])
@pytest.mark.parametrize("layout", [{}, {"newline": b"\r\n", "bom": True}], ids=["lf", "crlf-bom"])
def test_bad_bytes_straddling_a_block_boundary(acme, boundary, bad, layout):
    for cut in range(1, len(bad)):  # the bytes of the sequence before the boundary
        roster = Roster(**layout)
        number = roster.fill_to(boundary)
        padding = _name_at(roster, number, boundary - cut)
        row = roster.add(number, name=padding.encode() + bad + b"end")
        roster.fill(100, start=number + 1)

        content = roster.bytes()
        assert content[boundary - cut : boundary - cut + len(bad)] == bad
        assert _failure(acme, content) == _not_utf8(row, "name")


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_good_characters_straddling_a_block_boundary_are_not_taken_for_bad_ones(acme, boundary):
    for cut in (1, 2, 3):
        roster = Roster()
        number = roster.fill_to(boundary)
        padding = _name_at(roster, number, boundary - cut)
        roster.add(number, name=padding + "😀 Zoë")
        roster.fill(100, start=number + 1)
        assert roster.content[boundary - cut : boundary - cut + 4] == "😀".encode()

        record = _check(acme, roster.bytes())

        assert (record.status, record.rejected, record.failure) == ("checked", 0, "")
        assert record.to_create == roster.rows - 1


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_a_line_break_split_by_a_block_boundary_ends_one_row(acme, newline, boundary):
    """A CR as the last byte before the boundary, its LF (or the next row) after it."""
    roster = Roster(newline=newline)
    number = roster.fill_to(boundary, room=300)  # a whole row and a location of 200 at most
    padding = "x" * (boundary - 1 - len(roster.content) - len(roster.line(number)))
    roster.add(number, location="Lisbon" + padding)
    assert roster.content[boundary - 1 : boundary] == b"\r"
    row = roster.add(number + 1, name=b"Zo\xeb")
    roster.fill(100, start=number + 2)

    assert _failure(acme, roster.bytes()) == _not_utf8(row, "name")


# --- Memory stays flat -------------------------------------------------------------------


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_the_file_is_read_as_its_rows_are_taken_not_all_at_once(newline):
    """Rows come out while the file is read, at most a couple of blocks ahead of them,
    whatever ends its lines: the text of a 200,000-row file is never held whole."""
    roster = Roster(newline=newline)
    ends = []  # where each row ends in the file
    for number in range(1, 5001):
        roster.add(number)
        ends.append(len(roster.content))
    stream = io.BytesIO(roster.bytes())

    read_ahead = [
        stream.tell() - end
        for (_row, _values), end in zip(HrFile(stream).rows(), ends, strict=True)
    ]

    assert len(read_ahead) == 5000 and len(roster.content) > 6 * BLOCK_BYTES
    assert 0 <= max(read_ahead) <= 2 * BLOCK_BYTES


# --- Through the upload, as an admin sends it ------------------------------------------


def test_an_uploaded_file_fails_naming_the_row_and_column_and_changes_nothing(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    roster = Roster()
    roster.fill(FAR)
    row = roster.add(9999, name=b"Zo\xe9")
    roster.fill(50, start=10000)
    client.force_login(acme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/o/acme/directory/import/", {"file": upload("roster.csv", roster.bytes())})
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.get()
    # Asking to apply the valid rows anyway changes nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/directory/import/{record.pk}/apply/", {"valid_rows_only": "1"})

    with tenant_context(organization=acme):
        record = DirectoryImport.objects.get()
        assert (Employee.objects.count(), Department.objects.count()) == (0, 0)
    assert record.status == DirectoryImport.Status.FAILED
    assert record.failure == _not_utf8(row, "name")
    with pytest.raises(FileProblem, match=f"^Row {row}, column “name”: "):
        list(HrFile(io.BytesIO(roster.bytes())).rows())
