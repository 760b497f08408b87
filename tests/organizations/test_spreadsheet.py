"""The one way a CSV download is written: a byte-order mark, safe cells, the same headers."""

import csv
import io

from organizations.spreadsheet import csv_response


def test_csv_response_writes_a_bom_safe_cells_and_the_download_headers():
    response = csv_response(
        filename="people.csv",
        header=["name", "score"],
        rows=[['=HYPERLINK("http://evil")', -3], ["-Intern", 7], [None, ""]],
    )

    body = response.content
    assert body.startswith("\ufeff".encode())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        ["name", "score"],
        ['\'=HYPERLINK("http://evil")', "-3"],  # a number stays a number
        ["'-Intern", "7"],
        ["", ""],
    ]


def test_a_streamed_csv_response_reads_its_rows_only_as_it_is_sent():
    read = []

    def rows():
        read.append(True)
        yield ["+1 555", 1]

    response = csv_response(filename="a.csv", header=["phone", "n"], rows=rows(), streaming=True)

    assert read == []
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == "\ufeffphone,n\r\n'+1 555,1\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="a.csv"'
