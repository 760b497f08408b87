import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import AuditAction, AuditEntry, DirectoryImport, Employee
from organizations.tenancy import tenant_context
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "employee_number,email,name,department,job_title,job_level,manager_employee_number,hire_date\n"
    "1,ceo@acme.example,Cleo Ceo,Executive,Chief executive,10,,2010-01-01\n"
    "2,vp@acme.example,Victor Vp,Engineering,VP engineering,8,1,2015-03-01\n"
    "3,dev@acme.example,Dana Dev,Engineering,Developer,3,2,2022-09-01\n"
)
BAD = GOOD + (
    "4,,Ezra Early,Engineering,Developer,2,2,2024-02-30\n5,,Fay Far,Sales,Seller,2,77,2024-01-01\n"
)


def _upload(client, content: str, name="roster.csv", capture=None):
    upload = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    with capture(execute=True):
        response = client.post("/o/acme/directory/import/", {"file": upload})
    return response


def _import(acme) -> DirectoryImport:
    with tenant_context(organization=acme):
        return DirectoryImport.objects.latest("created_at")


def _numbers(acme) -> set[str]:
    with tenant_context(organization=acme):
        return set(Employee.objects.values_list("employee_number", flat=True))


@pytest.fixture
def upload(client, acme_admin, django_capture_on_commit_callbacks):
    client.force_login(acme_admin)
    return lambda content, **kwargs: _upload(
        client, content, capture=django_capture_on_commit_callbacks, **kwargs
    )


def test_preview_counts_and_names_each_rejected_row(client, acme, upload):
    response = upload(BAD)

    record = _import(acme)
    page = client.get(response.url).content.decode()
    assert (record.status, record.to_create, record.rejected) == ("checked", 3, 2)
    assert "“2024-02-30” is not a date as YYYY-MM-DD." in page
    assert "No employee has the number 77" in page
    assert "<td>5</td><td><code>hire_date</code></td>" in page.replace("\n", "")
    assert _numbers(acme) == set()


def test_a_file_with_rejections_cannot_be_applied_whole(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(BAD)
    record = _import(acme)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/acme/directory/import/{record.pk}/apply/", follow=True)

    assert "2 rows are rejected" in response.content.decode()
    assert _numbers(acme) == set()


def test_applying_the_valid_rows_only_changes_exactly_those(
    client, acme, acme_admin, upload, django_capture_on_commit_callbacks
):
    upload(BAD)
    record = _import(acme)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/directory/import/{record.pk}/apply/", {"valid_rows_only": "1"})

    assert _numbers(acme) == {"1", "2", "3"}
    record = _import(acme)
    assert record.status == "applied" and not record.file
    with tenant_context(organization=acme):
        entry = AuditEntry.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert entry.actor == acme_admin
    assert entry.details["created"] == 3 and entry.details["rejected"] == 2


def test_a_clean_file_applies_and_the_new_people_are_found_by_search(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(GOOD)
    record = _import(acme)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/directory/import/{record.pk}/apply/")

    found = client.get("/o/acme/directory/", {"q": "dana"}, HTTP_HX_REQUEST="true").content.decode()

    assert "Dana Dev" in found and "Victor Vp" not in found
    assert "<html" not in found


def test_an_unreadable_file_fails_with_the_reason(client, acme, upload):
    response = upload("name;email\nAl;al@example.com\n")

    page = client.get(response.url).content.decode()
    assert "The file has no column employee_number" in page


def test_discarding_changes_nothing(client, acme, upload):
    upload(GOOD)
    record = _import(acme)

    client.post(f"/o/acme/directory/import/{record.pk}/discard/")

    assert _import(acme).status == "discarded"
    assert _numbers(acme) == set()


def test_employee_page_shows_the_reporting_line_and_direct_reports(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/directory/import/{_import(acme).pk}/apply/")
    with tenant_context(organization=acme):
        vp = Employee.objects.get(employee_number="2")

    page = client.get(f"/o/acme/directory/{vp.pk}/").content.decode()

    assert page.index("Cleo Ceo") < page.index("<strong>Victor Vp</strong>")
    assert "Dana Dev" in page.split("Direct reports")[1]


def test_filters_and_export_agree(client, acme, upload, django_capture_on_commit_callbacks):
    upload(GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/directory/import/{_import(acme).pk}/apply/")
    with tenant_context(organization=acme):
        engineering = Employee.objects.get(employee_number="2").department_id

    listed = client.get("/o/acme/directory/", {"department": engineering}).content.decode()
    exported = client.get("/o/acme/directory/export.csv", {"department": engineering})
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))

    assert "Victor Vp" in listed and "Cleo Ceo" not in listed
    assert sorted(row["employee_number"] for row in rows) == ["2", "3"]
    assert rows[0]["manager_employee_number"] in {"1", "2"}


def test_template_download_has_the_expected_columns(client, acme_admin):
    client.force_login(acme_admin)

    response = client.get("/o/acme/directory/import/template.csv")

    assert response["Content-Disposition"] == 'attachment; filename="upturn-directory-template.csv"'
    assert response.content.decode().startswith("employee_number,email,name,department")


def test_program_manager_reads_the_directory_but_cannot_import_or_export(client, acme):
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    client.force_login(manager)

    assert client.get("/o/acme/directory/").status_code == 200
    assert client.get("/o/acme/directory/import/").status_code == 403
    assert client.get("/o/acme/directory/export.csv").status_code == 403


def test_participants_and_executives_cannot_read_the_directory(client, acme, acme_mentor):
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False).user
    for person in (acme_mentor, executive):
        client.force_login(person)
        assert client.get("/o/acme/directory/").status_code == 403


def test_an_import_stuck_for_hours_can_be_discarded(client, acme, acme_admin):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(acme_admin)
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme, original_name="lost.csv", status=DirectoryImport.Status.APPLYING
        )
        DirectoryImport.objects.filter(pk=record.pk).update(
            created_at=timezone.now() - timedelta(hours=2)
        )

    client.post(f"/o/acme/directory/import/{record.pk}/discard/")

    assert _import(acme).status == "discarded"
