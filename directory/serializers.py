from rest_framework import serializers

from directory.csv_format import COLUMNS
from directory.models import Department, Employee

MAX_BULK_ROWS = 10_000


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


class EmployeeRowSerializer(serializers.Serializer):
    """One row of the HR file, as JSON: the same columns, checked by the same rules.
    A field left out is left as the directory has it; an empty string clears it."""

    employee_number = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, allow_blank=True)
    division = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "The department's division (its parent department), created as named. "
            "Needs department on the same row; an empty string takes the department out "
            "of its division."
        ),
    )
    job_title = serializers.CharField(required=False, allow_blank=True)
    job_level = serializers.CharField(required=False, allow_blank=True)
    manager_employee_number = serializers.CharField(required=False, allow_blank=True)
    hire_date = serializers.CharField(required=False, allow_blank=True)
    termination_date = serializers.CharField(required=False, allow_blank=True)
    location = serializers.CharField(required=False, allow_blank=True)
    time_zone = serializers.CharField(required=False, allow_blank=True)
    birth_year = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        # Only the fields the row has: a field left out keeps what the directory holds.
        values = super().to_internal_value(data)
        return {column: str(values[column]).strip() for column in COLUMNS if column in values}


class BulkUpsertSerializer(serializers.Serializer):
    rows = EmployeeRowSerializer(
        many=True, allow_empty=False, min_length=1, max_length=MAX_BULK_ROWS
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
