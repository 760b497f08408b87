"""CSV exports open in spreadsheets: a cell that starts like a formula must not run as one,
and every download is written the same way (csv_response).

A CSV is for machines as much as for people: in every language it keeps ISO dates
(2027-01-31) and a dot before decimals (0.5), and its header the column names, whatever
language the person downloading it reads the pages in. Nothing here goes through
Django's localisation (number_format, |date, |floatformat)."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The byte-order mark tells Excel the file is UTF-8 (accents intact); the HR import reads
# it back.
BOM = "\ufeff"


def safe_cell(value) -> str:
    """The value as text, quoted with a leading apostrophe when it would start a formula."""
    value = "" if value is None else str(value)
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def _cell(value):
    """A number stays a number (a negative one is a figure, not a formula), written by
    Python with a dot, never the locale's comma; a date in ISO form; anything else is
    made safe."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    def write(self, value):
        return value


def _lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable], streaming: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download: UTF-8 with a byte-order mark, every cell formula-safe.

    With ``streaming`` the rows are read only as the body is sent (pass a generator that
    sets up what it reads, e.g. the organisation's tenant context)."""
    content_type = "text/csv; charset=utf-8"
    if streaming:
        response = StreamingHttpResponse(_lines(header, rows), content_type=content_type)
    else:
        response = HttpResponse("".join(_lines(header, rows)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
