"""Building HR files for the import's tests."""

import io

from directory.csv_format import COLUMNS, HrFile
from directory.importing import plan_import
from organizations.tenancy import tenant_context

HEADER = ",".join(COLUMNS)


def _csv(*lines: str, header: str = HEADER, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *lines]) + "\n").encode(encoding))


def _row(
    number,
    name,
    manager="",
    email="",
    level="",
    department="Engineering",
    hire="2020-01-01",
    **extra,
):
    values = {
        "employee_number": number, "email": email, "name": name, "department": department,
        "division": "", "job_title": "", "job_level": level, "manager_employee_number": manager,
        "hire_date": hire, "termination_date": "", "location": "", "time_zone": "",
        "birth_year": "",
        **extra,
    }  # fmt: skip
    return ",".join(values[column] for column in COLUMNS)


def _plan(organization, stream):
    with tenant_context(organization=organization):
        return plan_import(organization=organization, rows=HrFile(stream).rows())
