"""Every upload has a size and a type limit, stated on its form and enforced on the server:
a refused file is named with the limit and what it was, and nothing is stored.

The kinds themselves (organizations.uploads), then the two upload points of this app:
the organisation's logo (settings page and admin site) and the HR file import. The
training and resource files are in tests/programs/test_upload_limits.py."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from directory.models import DirectoryImport
from directory.services import directory_import_start
from organizations.models import Organization
from organizations.tenancy import tenant_context
from organizations.uploads import HR_FILE, LOGO, MATERIAL, MB, file_size
from tests.upload_files import HTML, SVG, image, office, png_header_only, stored_files, upload

ROSTER = "employee_number,name,email\n1,Cleo Ceo,ceo@acme.example\n2,Dana Dev,dev@acme.example\n"
SETTINGS = {
    "name": "Acme Corporation",
    "time_zone": "UTC",
    "locale": "en",
    "accent_color": "#123456",
    "session_idle_minutes": "60",
    "survey_min_group": "5",
    "message_retention_days": "90",
}


def refusal(kind, file) -> str:
    with pytest.raises(ValidationError) as caught:
        kind(file)
    return caught.value.messages[0]


# --- The kinds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "content"),
    [
        (LOGO, "brand.png", image("PNG")),
        (LOGO, "brand.jpg", image("JPEG")),
        (LOGO, "brand.jpeg", image("JPEG")),
        (LOGO, "brand.webp", image("WEBP")),
        (MATERIAL, "manual.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        (MATERIAL, "guide.docx", office("word/document.xml")),
        (MATERIAL, "deck.pptx", office("ppt/presentation.xml")),
        (MATERIAL, "plan.xlsx", office("xl/workbook.xml")),
        (MATERIAL, "chart.gif", image("GIF")),
        (MATERIAL, "Photo.PNG", image("PNG")),
        (MATERIAL, "notes.txt", "Ask about the week — and listen.".encode()),
        (MATERIAL, "mz.txt", b"MZ, the initials of the mentor, start this note."),
        (HR_FILE, "roster.csv", ROSTER.encode()),
        (HR_FILE, "roster.csv", b"\xef\xbb\xbf" + ROSTER.replace(",", ";").encode()),
    ],
)
def test_a_file_of_an_accepted_type_passes(kind, name, content):
    kind(upload(name, content))


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        (
            LOGO,
            "brand.svg",
            SVG,
            "“brand.svg” is not a PNG, JPEG or WebP image. SVG is not accepted: an SVG file "
            "can carry scripts.",
        ),
        (LOGO, "brand.png", SVG, "“brand.png” is named as a PNG image but is an SVG image."),
        (LOGO, "brand.gif", image("GIF"), "“brand.gif” is not a PNG, JPEG or WebP image."),
        (LOGO, "brand.png", image("JPEG"), "“brand.png” is named as a PNG image but is a JPEG"),
        (
            LOGO,
            "banner.png",
            image("PNG", 5000, 10),
            "“banner.png” is 5000 × 10 pixels; the limit is 4096 pixels on the longer side.",
        ),
        (MATERIAL, "manual.pdf", HTML, "“manual.pdf” is named as a PDF file but is an HTML page."),
        (MATERIAL, "manual.pdf", b"just words", "“manual.pdf” is named as a PDF file but is not"),
        (MATERIAL, "page.html", HTML, "“page.html” is not a PDF, Word, PowerPoint, Excel, image"),
        (MATERIAL, "setup.exe", b"MZ\x90\x00", "“setup.exe” is not a PDF, Word, PowerPoint"),
        (
            MATERIAL,
            "setup.txt",
            b"MZ\x90\x00\x03",
            "“setup.txt” is named as a text file but is a program.",
        ),
        (MATERIAL, "diagram.svg", SVG, "SVG is not accepted: an SVG file can carry scripts."),
        (MATERIAL, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Save it as .docx"),
        (
            MATERIAL,
            "guide.docx",
            office("ppt/presentation.xml"),
            "“guide.docx” is named as a Word document but is a PowerPoint presentation.",
        ),
        (
            MATERIAL,
            "guide.docx",
            office("word/document.xml", "word/vbaProject.bin"),
            "“guide.docx” contains macros, which are not accepted.",
        ),
        (MATERIAL, "deck.pptx", b"PK\x03\x04broken", "“deck.pptx” is named as a PowerPoint"),
        (MATERIAL, "photo.png", b"\x89PNG\r\n\x1a\nbroken", "“photo.png” is named as a PNG image"),
        (
            MATERIAL,
            "huge.png",
            png_header_only(30_000, 30_000),
            "“huge.png” has too many pixels to be opened safely.",
        ),
        (  # over Pillow's limit, under twice it, where Pillow only warns
            MATERIAL,
            "large.png",
            png_header_only(10_000, 10_000),
            "“large.png” has too many pixels to be opened safely.",
        ),
        (MATERIAL, "notes.txt", image("PNG"), "“notes.txt” is named as a text file but is a PNG"),
        (HR_FILE, "roster.xlsx", office("xl/workbook.xml"), "“roster.xlsx” is not a CSV file."),
        (HR_FILE, "roster.csv", image("PNG"), "“roster.csv” is named as a CSV file but is a PNG"),
        (
            HR_FILE,
            "roster.csv",
            office("xl/workbook.xml"),
            "“roster.csv” is named as a CSV file but is an Excel workbook.",
        ),
        (
            HR_FILE,
            "roster.csv",
            ROSTER.replace("Dana", "Zoé").encode("latin-1"),
            "“roster.csv” is not UTF-8 text. Save it as “CSV UTF-8” and try again.",
        ),
        (HR_FILE, "roster.csv", ROSTER.encode("utf-16"), "“roster.csv” is not UTF-8 text."),
        (HR_FILE, "roster", ROSTER.encode(), "“roster” is not a CSV file."),
    ],
)
def test_a_file_of_another_type_is_refused_by_what_it_is(kind, name, content, message):
    assert message in refusal(kind, upload(name, content))


@pytest.mark.parametrize(
    ("kind", "name", "content", "message"),
    [
        (LOGO, "brand.png", image("PNG"), "“brand.png” is 1.1 MB; the limit is 1 MB."),
        (MATERIAL, "manual.pdf", b"%PDF-1.7", "“manual.pdf” is 31 MB; the limit is 20 MB."),
        (HR_FILE, "roster.csv", ROSTER.encode(), "“roster.csv” is 50.1 MB; the limit is 50 MB."),
    ],
)
def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(kind, name, content, message):
    file = upload(name, content)
    file.size = {LOGO: MB + 1, MATERIAL: 31 * MB, HR_FILE: 50 * MB + 1}[kind]

    assert refusal(kind, file) == message


def test_a_file_exactly_at_the_limit_passes():
    file = upload("manual.pdf", b"%PDF-1.7")
    file.size = 20 * MB

    MATERIAL(file)


def test_sizes_are_rounded_so_that_one_byte_over_never_reads_as_the_limit():
    assert [file_size(512 * 1024), file_size(MB), file_size(20 * MB)] == ["512 KB", "1 MB", "20 MB"]
    assert file_size(MB + 1, round_up=True) == "1.1 MB"
    assert file_size(600_001, round_up=True) == "586 KB"


def test_a_limit_can_be_changed_in_the_settings(settings):
    settings.UPLOAD_MAX_BYTES = {"material": 40 * MB}
    file = upload("manual.pdf", b"%PDF-1.7")
    file.size = 41 * MB

    assert refusal(MATERIAL, file) == "“manual.pdf” is 41 MB; the limit is 40 MB."
    assert MATERIAL.help_text.endswith("at most 40 MB.")
    assert LOGO.max_bytes == MB  # the kinds not named keep their own


def test_each_kind_states_its_types_and_its_limit():
    assert LOGO.help_text == (
        "PNG, JPEG or WebP, up to 4096 pixels on the longer side; at most 1 MB."
    )
    assert MATERIAL.help_text == (
        "PDF, Word, PowerPoint, Excel, an image (PNG, JPEG, GIF or WebP) or plain text; "
        "at most 20 MB."
    )
    assert HR_FILE.help_text == (
        "CSV in UTF-8, with a comma or a semicolon between values; at most 50 MB."
    )
    assert LOGO.accept == ".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp"
    assert HR_FILE.accept == ".csv,text/csv"


def test_a_checked_file_is_left_whole_for_storage():
    content = image("PNG")
    file = upload("brand.png", content)
    file.read(10)

    LOGO(file)

    assert file.tell() == 10
    file.seek(0)
    assert file.read() == content


def test_the_check_serves_an_api_serializer_as_well():
    from rest_framework import serializers

    class Attachment(serializers.Serializer):
        file = serializers.FileField(validators=[MATERIAL])

    refused = Attachment(data={"file": upload("manual.pdf", HTML)})
    accepted = Attachment(data={"file": upload("manual.pdf", b"%PDF-1.7")})

    assert not refused.is_valid()
    assert refused.errors["file"] == ["“manual.pdf” is named as a PDF file but is an HTML page."]
    assert accepted.is_valid(), accepted.errors


# --- The logo ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, acme_admin):
    client.force_login(acme_admin)
    return client


@pytest.mark.django_db
def test_the_settings_page_states_the_logo_limit(admin_client):
    page = admin_client.get("/o/acme/settings/").content.decode()

    assert "PNG, JPEG or WebP, up to 4096 pixels on the longer side; at most 1 MB." in page
    assert 'accept=".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("brand.png", image("PNG") + b"\0" * MB, "“brand.png” is 1.1 MB; the limit is 1 MB."),
        ("brand.svg", SVG, "SVG is not accepted: an SVG file can carry scripts."),
        ("brand.png", SVG, "“brand.png” is named as a PNG image but is an SVG image."),
        ("brand.png", HTML, "“brand.png” is named as a PNG image but is an HTML page."),
    ],
)
def test_a_refused_logo_is_named_and_nothing_is_stored_or_changed(
    admin_client, acme, settings, name, content, message
):
    response = admin_client.post(
        "/o/acme/settings/", {**SETTINGS, "logo": upload(name, content, "image/png")}
    )

    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')
    saved = Organization.objects.get(pk=acme.pk)
    assert (saved.name, saved.logo.name) == ("Acme", "")
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_logo_within_the_limit_is_stored_whole(admin_client, acme, settings):
    content = image("WEBP", 400, 100)

    response = admin_client.post(
        "/o/acme/settings/", {**SETTINGS, "logo": upload("brand.webp", content)}
    )

    assert response.status_code == 302
    saved = Organization.objects.get(pk=acme.pk)
    assert saved.logo.name.endswith(".webp")
    assert stored_files(settings) == [saved.logo.name]
    assert Path(settings.MEDIA_ROOT, saved.logo.name).read_bytes() == content


@pytest.mark.django_db
def test_other_settings_save_when_the_stored_logo_is_over_a_limit_lowered_since(
    admin_client, acme, settings
):
    admin_client.post("/o/acme/settings/", {**SETTINGS, "logo": upload("brand.png", image())})
    settings.UPLOAD_MAX_BYTES = {"logo": 100}

    response = admin_client.post("/o/acme/settings/", {**SETTINGS, "name": "Acme Europe"})

    assert response.status_code == 302
    assert Organization.objects.get(pk=acme.pk).name == "Acme Europe"


@pytest.mark.django_db
def test_the_admin_site_refuses_the_same_logos(client, acme, settings):
    from tests.accounts.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    form = {
        "name": "Acme",
        "slug": "acme",
        "time_zone": "UTC",
        "locale": "en",
        "accent_color": "#0b6e69",
        "session_idle_minutes": "480",
        "survey_min_group": "5",
        "message_retention_days": "90",
        "logo": upload("brand.png", SVG, "image/png"),
    }

    response = client.post(f"/admin/organizations/organization/{acme.pk}/change/", form)

    assert response.status_code == 200
    assert "“brand.png” is named as a PNG image but is an SVG image." in response.content.decode()
    assert not Organization.objects.get(pk=acme.pk).logo
    assert stored_files(settings) == []


# --- The HR file import ------------------------------------------------------------------


def _imports(acme) -> int:
    with tenant_context(organization=acme):
        return DirectoryImport.objects.count()


@pytest.mark.django_db
def test_the_import_page_states_the_limit(admin_client):
    page = admin_client.get("/o/acme/directory/import/").content.decode()

    assert "CSV in UTF-8, with a comma or a semicolon between values; at most 50 MB." in page
    assert 'accept=".csv,text/csv"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.csv", ROSTER.encode() * 20, "“roster.csv” is 2 KB; the limit is 1 KB."),
        ("roster.xlsx", office("xl/workbook.xml"), "“roster.xlsx” is not a CSV file."),
        ("roster.csv", image("PNG"), "“roster.csv” is named as a CSV file but is a PNG image."),
        ("roster.csv", ROSTER.replace("Dana", "Zoé").encode("cp1252"), "is not UTF-8 text"),
    ],
)
def test_a_refused_hr_file_is_named_and_no_import_is_made(
    admin_client, acme, settings, django_capture_on_commit_callbacks, name, content, message
):
    settings.UPLOAD_MAX_BYTES = {"hr_file": 1024}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            "/o/acme/directory/import/", {"file": upload(name, content, "text/csv")}
        )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _imports(acme) == 0
    assert callbacks == []  # no check task queued
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_an_hr_file_within_the_limit_is_stored_and_checked(
    admin_client, acme, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/o/acme/directory/import/", {"file": upload("roster.csv", ROSTER.encode())}
        )

    assert response.status_code == 302
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.get()
    assert (record.status, record.to_create) == ("checked", 2)
    assert stored_files(settings) == [record.file.name]


@pytest.mark.django_db
def test_the_import_service_refuses_what_the_form_refuses(acme, acme_admin, settings):
    with tenant_context(organization=acme), pytest.raises(ValidationError) as caught:
        directory_import_start(
            organization=acme, actor=acme_admin, upload=upload("roster.csv", image("PNG"))
        )

    assert caught.value.messages == ["“roster.csv” is named as a CSV file but is a PNG image."]
    assert _imports(acme) == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_byte_not_utf8_far_into_the_file_still_fails_the_import_with_the_reason(
    admin_client, acme, django_capture_on_commit_callbacks
):
    """The upload decodes the file's start; a bad byte further on is found by the import's
    own reading, as before (the header's checks stay with it too)."""
    rows = "".join(f"{n},Person {n},p{n}@acme.example\n" for n in range(3, 3003))
    content = ROSTER.encode() + rows.encode() + "4000,Zoé,z@acme.example\n".encode("latin-1")
    assert len(content) > 64 * 1024

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/o/acme/directory/import/", {"file": upload("roster.csv", content)}
        )

    with tenant_context(organization=acme):
        record = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert record.status == "failed"
    assert record.failure.startswith("Row ")
    assert "The file is not UTF-8 text." in record.failure


# --- Bodies larger than any upload --------------------------------------------------------


def _through_the_limit(path="/o/acme/settings/", *, length: int, content_type: str):
    from django.test import RequestFactory

    from organizations.uploads import RequestSizeLimitMiddleware

    passed = []
    # Only the headers: the middleware must decide without reading the body.
    request = RequestFactory().generic(
        "POST", path, CONTENT_TYPE=content_type, CONTENT_LENGTH=str(length)
    )
    response = RequestSizeLimitMiddleware(lambda r: passed.append(r) or "answered")(request)
    return request, response, passed


MULTIPART = "multipart/form-data; boundary=upturn"


def test_a_body_larger_than_any_upload_is_refused_unread():
    request, response, passed = _through_the_limit(length=2 * 1024 * MB, content_type=MULTIPART)

    assert response.status_code == 413
    assert response.content.decode() == (
        "The request is 2 GB; the limit is 51 MB. Nothing was saved."
    )
    assert passed == []
    assert not request._read_started


def test_an_api_body_over_its_limit_is_refused_in_the_apis_shape():
    _, response, passed = _through_the_limit(
        "/api/v1/employees/bulk-upsert/", length=20 * MB + 1, content_type="application/json"
    )

    error = json.loads(response.content)["error"]
    assert response.status_code == 413
    assert error["code"] == "too_large"
    assert error["message"] == "The request is 20.1 MB; the limit is 20 MB. Nothing was saved."
    assert passed == []


def test_a_body_other_than_the_apis_keeps_the_lower_limit():
    _, response, passed = _through_the_limit(
        length=10 * MB + 1, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response.content.decode() == (
        "The request is 10.1 MB; the limit is 10 MB. Nothing was saved."
    )
    assert passed == []


@pytest.mark.parametrize(
    ("length", "content_type"),
    [
        (51 * MB, MULTIPART),  # the largest upload (an HR file) and the form around it
        (4 * MB, "application/json"),  # a form without a file, within the 10 MB outside the API
        (0, ""),
    ],
)
def test_a_body_within_the_limit_goes_on(length, content_type):
    _, response, passed = _through_the_limit(length=length, content_type=content_type)

    assert response == "answered"
    assert len(passed) == 1


def test_the_body_limit_follows_the_upload_limits(settings):
    settings.UPLOAD_MAX_BYTES = {"material": 100 * MB}

    _, response, _passed = _through_the_limit(length=90 * MB, content_type=MULTIPART)

    assert response == "answered"


@pytest.mark.django_db
def test_an_oversized_upload_stops_at_the_door_and_nothing_is_stored(admin_client, acme, settings):
    assert "organizations.uploads.RequestSizeLimitMiddleware" in settings.MIDDLEWARE
    big = upload("roster.csv", ROSTER.encode() + b"9,Zed,z@acme.example\n" * (52 * MB // 21))

    response = admin_client.post("/o/acme/directory/import/", {"file": big})

    assert response.status_code == 413
    assert "the limit is 51 MB" in response.content.decode()
    assert _imports(acme) == 0
    assert stored_files(settings) == []
