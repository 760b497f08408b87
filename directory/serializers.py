from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from directory.csv_format import (
    COLUMNS,
    EARLIEST_BIRTH_YEAR,
    EARLIEST_DATE,
    MAX_LENGTHS,
    MAX_LEVEL,
    YEARS_AHEAD,
    YOUNGEST_AGE,
)
from directory.models import Department, Employee
from organizations.uploads import API_BODY_MAX_BYTES, MB

# The rows one bulk upsert takes. With every value at its longest, the body of this many
# rows fits the API's body limit however the JSON is written (organizations.uploads.
# API_BODY_MAX_BYTES; tests/directory/test_api_limits.py): the row maximum, the body
# limit and the schema agree. 10,000 rows at their longest would need some 180 MB.
MAX_BULK_ROWS = 1_000
_DATE_HELP = (
    f"YYYY-MM-DD (digits 0 to 9), from {EARLIEST_DATE.isoformat()} to the end of the year "
    f"{YEARS_AHEAD} years ahead."
)


class DepartmentSerializer(serializers.ModelSerializer):
    division = serializers.CharField(
        source="parent.name",
        default="",
        read_only=True,
        help_text="The division's name (its parent department), empty for none.",
    )

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "division"]
        extra_kwargs = {"parent": {"help_text": "The division's id, or null."}}


class EmployeeSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default="", read_only=True)
    division = serializers.CharField(
        source="department.parent.name",
        default="",
        read_only=True,
        help_text="The department's division, empty for none.",
    )
    manager_employee_number = serializers.CharField(
        source="manager.employee_number", default="", read_only=True
    )

    class Meta:
        model = Employee
        fields = [
            "id",
            "employee_number",
            "email",
            "name",
            "department",
            "division",
            "job_title",
            "job_level",
            "manager_employee_number",
            "hire_date",
            "termination_date",
            "location",
            "time_zone",
            "birth_year",
            "updated_at",
        ]


class RowValue(serializers.CharField):
    """A value of a row: its longest (csv_format.MAX_LENGTHS) is stated in the schema but
    checked, with every other rule, by the import's own check, so that a value too long is
    a rejection naming its row and column (409), as in a CSV file, never a 400 of another
    shape, and never cut."""

    def __init__(self, column: str, **kwargs):
        self.stated_max_length = MAX_LENGTHS[column]
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class RowValueSchema(OpenApiSerializerFieldExtension):
    target_class = RowValue

    def map_serializer_field(self, auto_schema, direction):
        return {**build_basic_type(OpenApiTypes.STR), "maxLength": self.target.stated_max_length}


class EmployeeRowSerializer(serializers.Serializer):
    """One row of the HR file, as JSON: the same columns, checked by the same rules.
    A field left out is left as the directory has it; an empty string clears it."""

    employee_number = RowValue("employee_number", required=True)
    name = RowValue("name", required=True)
    email = RowValue("email")
    department = RowValue("department")
    division = RowValue(
        "division",
        help_text=(
            "The department's division (its parent department), created as named. "
            "Needs department on the same row; an empty string takes the department out "
            "of its division."
        ),
    )
    job_title = RowValue("job_title")
    job_level = RowValue(
        "job_level", help_text=f"A whole number from 0 to {MAX_LEVEL} (higher: more senior)."
    )
    manager_employee_number = RowValue("manager_employee_number")
    hire_date = RowValue("hire_date", help_text=_DATE_HELP)
    termination_date = RowValue("termination_date", help_text=_DATE_HELP)
    location = RowValue("location")
    time_zone = RowValue("time_zone", help_text="An IANA time zone such as Europe/Berlin.")
    birth_year = RowValue(
        "birth_year",
        help_text=f"From {EARLIEST_BIRTH_YEAR} to {YOUNGEST_AGE} years before this year.",
    )

    def to_internal_value(self, data):
        # Only the fields the row has: a field left out keeps what the directory holds.
        values = super().to_internal_value(data)
        return {column: str(values[column]).strip() for column in COLUMNS if column in values}


class BulkUpsertSerializer(serializers.Serializer):
    # A list field rather than many=True: the schema then states minItems and maxItems.
    rows = serializers.ListField(
        child=EmployeeRowSerializer(),
        allow_empty=False,
        min_length=1,
        max_length=MAX_BULK_ROWS,
        help_text=(
            f"At most {MAX_BULK_ROWS:,} rows; the request's body at most "
            f"{API_BODY_MAX_BYTES // MB} MB (413 past it)."
        ),
    )
    valid_rows_only = serializers.BooleanField(default=False)


class RejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1 for the first element of rows.")
    column = serializers.CharField()
    message = serializers.CharField()


class BulkUpsertResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    divisions_changed = serializers.IntegerField(
        help_text="Departments whose division the rows change."
    )
    rejections = RejectionSerializer(many=True)
