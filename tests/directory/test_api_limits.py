"""The bulk upsert's limits agree: the rows the schema allows, at their longest, fit the
body the API takes; past either limit the answer is a 4xx in the API's error shape."""

import json

import pytest
from django.core.checks import run_checks

from directory.csv_format import MAX_LENGTHS
from directory.models import Employee
from directory.serializers import MAX_BULK_ROWS
from organizations.roles import Role
from organizations.tenancy import tenant_context
from organizations.uploads import API_BODY_MAX_BYTES
from tests.helpers import api_key_headers

pytestmark = pytest.mark.django_db

URL = "/api/v1/employees/bulk-upsert/"


def _longest_rows(count: int) -> list[dict]:
    """Every value at its longest, in a character JSON writes as two \\u escapes."""
    return [
        {column: "😀" * limit for column, limit in MAX_LENGTHS.items()}
        | {"employee_number": f"{n:06d}" + "😀" * (MAX_LENGTHS["employee_number"] - 6)}
        for n in range(count)
    ]


def _post(client, acme, body: str):
    return client.post(
        URL, body, content_type="application/json", **api_key_headers(acme, Role.ADMIN)
    )


def test_the_row_maximum_at_its_longest_fits_the_body_limit_and_is_read(client, acme):
    body = json.dumps({"rows": _longest_rows(MAX_BULK_ROWS)}, indent=1)
    assert len(body.encode()) <= API_BODY_MAX_BYTES

    response = _post(client, acme, body)

    # Read and checked row by row (emoji are no time zone): not a 413, not a 500.
    assert response.status_code == 409
    assert response.json()["rejected"] == MAX_BULK_ROWS


def test_more_rows_than_the_maximum_is_a_400_naming_rows(client, acme):
    rows = [{"employee_number": str(n), "name": "N"} for n in range(MAX_BULK_ROWS + 1)]

    response = _post(client, acme, json.dumps({"rows": rows}))

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["code"] == "invalid"
    assert "rows" in error["details"]


def test_a_body_django_would_not_read_is_a_413_in_the_error_shape(client, acme, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    rows = [{"employee_number": str(n), "name": "Name"} for n in range(100)]

    response = _post(client, acme, json.dumps({"rows": rows}))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert run_checks()[0].id == "organizations.E003"


def test_a_value_too_long_is_a_rejection_naming_row_and_column_and_nothing_changes(client, acme):
    rows = [
        {"employee_number": "1", "name": "Al"},
        {"employee_number": "2", "name": "B" * 201},
        {"employee_number": "3", "name": "Cy", "job_level": "\u0663"},
    ]

    response = _post(client, acme, json.dumps({"rows": rows}))

    assert response.status_code == 409
    assert {(r["row"], r["column"]) for r in response.json()["rejections"]} == {
        (2, "name"),
        (3, "job_level"),
    }
    with tenant_context(organization=acme):
        assert not Employee.objects.exists()
