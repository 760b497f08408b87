import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.models import Department, DirectoryImport, Employee
from organizations.models import AuditAction, AuditEntry
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


def _upload(client, content: str, name="roster.csv", capture=None, **extra):
    upload = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    with capture(execute=True):
        response = client.post("/o/acme/directory/import/", {"file": upload}, **extra)
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
    rows = list(
        csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")))
    )

    assert "Victor Vp" in listed and "Cleo Ceo" not in listed
    assert sorted(row["employee_number"] for row in rows) == ["2", "3"]
    assert rows[0]["manager_employee_number"] in {"1", "2"}


def test_template_download_has_the_expected_columns(client, acme_admin):
    client.force_login(acme_admin)

    response = client.get("/o/acme/directory/import/template.csv")

    assert response["Content-Disposition"] == 'attachment; filename="upturn-directory-template.csv"'
    assert response.content.decode("utf-8-sig").startswith("employee_number,email,name,department")


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
            organization=acme,
            original_name="lost.csv",
            status=DirectoryImport.Status.APPLYING,
            phase_started_at=timezone.now() - timedelta(hours=2),
        )

    client.post(f"/o/acme/directory/import/{record.pk}/discard/")

    assert _import(acme).status == "discarded"


def _apply(client, record, capture, **data):
    """Apply (the task runs as the request commits) and return the page shown next."""
    with capture(execute=True):
        client.post(f"/o/acme/directory/import/{record.pk}/apply/", data)
    return client.get(f"/o/acme/directory/import/{record.pk}/")


# --- Applying writes exactly the rows the preview accepted -----------------------------


def test_a_row_rejected_in_the_preview_is_not_applied_when_it_became_valid_since(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(BAD)  # row 6: manager 77 is unknown
    record = _import(acme)
    with tenant_context(organization=acme):
        Employee.objects.create(organization=acme, employee_number="77", name="Sev Seventy")

    page = _apply(
        client, record, django_capture_on_commit_callbacks, valid_rows_only="1"
    ).content.decode()

    assert _numbers(acme) == {"77"}
    record = _import(acme)
    assert (record.status, record.rejected, record.to_create) == ("checked", 1, 4)
    assert "the rows accepted now are not the ones accepted then" in page
    _apply(client, record, django_capture_on_commit_callbacks, valid_rows_only="1")
    assert _numbers(acme) == {"1", "2", "3", "5", "77"}


def test_a_row_accepted_in_the_preview_and_rejected_since_stops_the_whole_apply(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(GOOD)
    record = _import(acme)
    with tenant_context(organization=acme):
        Employee.objects.create(
            organization=acme, employee_number="99", name="Early", email="dev@acme.example"
        )

    page = _apply(client, record, django_capture_on_commit_callbacks).content.decode()

    assert _numbers(acme) == {"99"}
    assert _import(acme).status == "checked" and _import(acme).rejected == 1
    assert "dev@acme.example already belongs to employee 99." in page
    assert "Nothing was changed" in page


# --- Progress, and telling a queued import from a stuck one -----------------------------


def _old_checked_import(acme, total_rows=120) -> DirectoryImport:
    from datetime import timedelta

    from django.utils import timezone

    two_hours_ago = timezone.now() - timedelta(hours=2)
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="monday.csv",
            status=DirectoryImport.Status.CHECKED,
            phase_started_at=two_hours_ago,
            total_rows=total_rows,
            to_create=total_rows,
        )
        DirectoryImport.objects.filter(pk=record.pk).update(created_at=two_hours_ago)
    return record


def test_an_apply_asked_for_hours_after_the_upload_is_waiting_not_stuck(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    record = _old_checked_import(acme)
    with django_capture_on_commit_callbacks(execute=False):  # queued, not yet run
        client.post(f"/o/acme/directory/import/{record.pk}/apply/")

    page = client.get(f"/o/acme/directory/import/{record.pk}/").content.decode()
    refused = client.post(f"/o/acme/directory/import/{record.pk}/discard/", follow=True)

    assert "stopped without finishing" not in page and 'hx-trigger="every 1s"' in page
    assert "Discard" not in page
    assert "can no longer be discarded" in refused.content.decode()
    assert _import(acme).status == "applying"


def test_discarding_a_stale_page_cannot_undo_an_applied_import(acme, acme_admin):
    from django.core.exceptions import ValidationError

    from directory.services import directory_import_discard

    record = _old_checked_import(acme)  # the page the admin had open: checked
    with tenant_context(organization=acme):
        DirectoryImport.objects.filter(pk=record.pk).update(status="applied")
        with pytest.raises(ValidationError, match="can no longer be discarded"):
            directory_import_discard(organization=acme, actor=acme_admin, directory_import=record)

    assert _import(acme).status == "applied"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (("read", 40, 120), "checking the file again against the directory, 40 of 120 rows read."),
        (("write", 30, 100), "Step 2 of 2: 30 of 100 rows written."),
    ],
)  # fmt: skip
def test_applying_shows_reading_then_writing_each_against_its_own_total(
    client, acme, acme_admin, stored, shown
):
    from django.core.cache import cache
    from django.utils import timezone

    client.force_login(acme_admin)
    record = _old_checked_import(acme)
    with tenant_context(organization=acme):
        DirectoryImport.objects.filter(pk=record.pk).update(
            status="applying", phase_started_at=timezone.now()
        )
    cache.set(f"directory-import:{record.pk}:progress", stored)

    page = client.get(f"/o/acme/directory/import/{record.pk}/", HTTP_HX_REQUEST="true")

    assert shown in page.content.decode()
    assert f'max="{stored[2]}" value="{stored[1]}"' in page.content.decode()


def test_the_writing_progress_counts_up_to_the_rows_written(
    client, acme, upload, django_capture_on_commit_callbacks
):
    from directory.services import ImportProgress, directory_import_progress

    upload(GOOD)
    _apply(client, _import(acme), django_capture_on_commit_callbacks)

    assert directory_import_progress(_import(acme)) == ImportProgress("write", 3, 3)


# --- The export follows the filter, opens in Excel and comes back in ------------------


def _applied(client, acme, upload, capture, content=GOOD):
    upload(content)
    _apply(client, _import(acme), capture)


def test_the_export_link_follows_search_as_you_type(
    client, acme, upload, django_capture_on_commit_callbacks
):
    _applied(client, acme, upload, django_capture_on_commit_callbacks)

    partial = client.get(
        "/o/acme/directory/", {"q": "dana", "page": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'href="/o/acme/directory/export.csv?q=dana"' in partial


def test_the_export_opens_in_a_spreadsheet_safely_and_imports_back_unchanged(
    client, acme, upload, django_capture_on_commit_callbacks
):
    content = GOOD + '4,,=HYPERLINK("x"),Engineering,-Intern,1,2,2024-01-01\n'
    _applied(client, acme, upload, django_capture_on_commit_callbacks, content=content)

    exported = b"".join(client.get("/o/acme/directory/export.csv").streaming_content)
    upload(exported.decode("utf-8"))

    assert exported.startswith("\ufeff".encode())
    assert "'=HYPERLINK" in exported.decode() and "'-Intern" in exported.decode()
    record = _import(acme)
    assert (record.unchanged, record.to_update, record.rejected) == (4, 0, 0)


# --- Divisions on the pages ----------------------------------------------------------------


DIVIDED = (
    "employee_number,name,department,division,manager_employee_number\n"
    "1,Cleo Ceo,Executive,,\n"
    "2,Pia Platform,Platform,Technology,1\n"
    "3,Dan Data,Data,Technology,1\n"
    "4,Sal Sales,Sales,,1\n"
)


def test_choosing_a_division_lists_the_people_of_its_departments(
    client, acme, upload, django_capture_on_commit_callbacks
):
    _applied(client, acme, upload, django_capture_on_commit_callbacks, content=DIVIDED)
    with tenant_context(organization=acme):
        technology = Department.objects.get(name="Technology")

    listed = client.get("/o/acme/directory/", {"department": technology.pk}).content.decode()

    assert "Pia Platform" in listed and "Dan Data" in listed
    assert "Sal Sales" not in listed and "Cleo Ceo" not in listed
    assert "Platform (Technology)" in listed  # the filter's choice
    assert '<div class="muted">Technology</div>' in listed  # the table's division


def test_the_employee_page_shows_the_division(
    client, acme, upload, django_capture_on_commit_callbacks
):
    _applied(client, acme, upload, django_capture_on_commit_callbacks, content=DIVIDED)
    with tenant_context(organization=acme):
        pia = Employee.objects.get(employee_number="2")

    page = client.get(f"/o/acme/directory/{pia.pk}/").content.decode()

    assert "<dt>Division</dt><dd>Technology</dd>" in page


def test_the_export_and_the_template_carry_the_division_column(
    client, acme, upload, django_capture_on_commit_callbacks
):
    _applied(client, acme, upload, django_capture_on_commit_callbacks, content=DIVIDED)

    exported = b"".join(client.get("/o/acme/directory/export.csv").streaming_content)
    rows = {
        r["employee_number"]: r for r in csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))
    }
    template = client.get("/o/acme/directory/import/template.csv").content.decode("utf-8-sig")

    assert rows["2"]["division"] == "Technology" and rows["4"]["division"] == ""
    assert template.splitlines()[0].startswith("employee_number,email,name,department,division,")


# --- The audit log and the uploader's address -----------------------------------------------


def _entries(acme, action):
    with tenant_context(organization=acme):
        return list(AuditEntry.objects.filter(action=action))


def test_the_uploaders_address_is_kept_and_the_apply_is_logged_from_where_it_was_asked(
    client, acme, upload, django_capture_on_commit_callbacks
):
    upload(GOOD, REMOTE_ADDR="203.0.113.9")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/o/acme/directory/import/{_import(acme).pk}/apply/", REMOTE_ADDR="198.51.100.4"
        )

    [entry] = _entries(acme, AuditAction.DIRECTORY_IMPORTED)
    assert _import(acme).uploaded_from == "203.0.113.9"
    assert entry.ip_address == "198.51.100.4"
    assert entry.details["uploaded_from"] == "203.0.113.9"


def test_a_discarded_import_is_logged_with_its_counts(client, acme, acme_admin, upload):
    upload(BAD)

    client.post(f"/o/acme/directory/import/{_import(acme).pk}/discard/", REMOTE_ADDR="203.0.113.9")

    [entry] = _entries(acme, AuditAction.DIRECTORY_IMPORT_DISCARDED)
    assert entry.actor == acme_admin and entry.ip_address == "203.0.113.9"
    assert (entry.details["would_create"], entry.details["rejected"]) == (3, 2)
    assert entry.details["created"] == 0


def test_a_failed_import_is_logged_with_the_reason(client, acme, acme_admin, upload):
    upload("name;email\nAl;al@example.com\n", REMOTE_ADDR="203.0.113.9")

    [entry] = _entries(acme, AuditAction.DIRECTORY_IMPORT_FAILED)
    assert entry.actor == acme_admin and entry.ip_address == "203.0.113.9"
    assert "no column employee_number" in entry.details["failure"]
    assert entry.details["rows"] == 0
