"""Files of training modules and resources: the form states what it takes (types and
size), and the server refuses anything else, naming the file, before anything is stored."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from organizations.tenancy import tenant_context
from organizations.uploads import MB
from programs.models import Program, Resource, TrainingModule
from tests.upload_files import HTML, SVG, image, office, stored_files, upload

pytestmark = pytest.mark.django_db

LIMIT = (
    "PDF, Word, PowerPoint, Excel, an image (PNG, JPEG, GIF or WebP) or plain text; at most 20 MB."
)
MODULE = {"title": "Giving feedback upward", "audience": "everyone", "position": "0"}
RESOURCE = {"kind": "library", "title": "Reading list", "audience": "everyone", "position": "0"}


@pytest.fixture
def program(acme):
    with tenant_context(organization=acme):
        return Program.objects.create(
            organization=acme,
            name="Reverse pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
        )


@pytest.fixture
def admin_client(client, acme_admin):
    client.force_login(acme_admin)
    return client


def _count(acme, model) -> int:
    with tenant_context(organization=acme):
        return model.objects.count()


@pytest.mark.parametrize("kind", ["training", "resources"])
def test_the_form_states_what_files_it_takes(admin_client, program, kind):
    page = admin_client.get(f"/o/acme/programs/{program.pk}/{kind}/new/").content.decode()

    assert LIMIT in page
    assert 'accept=".pdf,.docx,.pptx,.xlsx,.png,.jpg,.jpeg,.gif,.webp,.txt,' in page


@pytest.mark.parametrize(
    ("kind", "model", "fields"),
    [("training", TrainingModule, MODULE), ("resources", Resource, RESOURCE)],
)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "manual.pdf",
            b"%PDF-1.7\n" + b"0" * (20 * MB),
            "“manual.pdf” is 20.1 MB; the limit is 20 MB.",
        ),
        ("manual.pdf", HTML, "“manual.pdf” is named as a PDF file but is an HTML page."),
        ("manual.html", HTML, "“manual.html” is not a PDF, Word, PowerPoint, Excel, image or"),
        ("diagram.svg", SVG, "SVG is not accepted: an SVG file can carry scripts."),
        ("slides.pptx", office("word/document.xml"), "“slides.pptx” is named as a PowerPoint"),
    ],
)
def test_a_refused_file_is_named_and_nothing_is_stored(
    admin_client, acme, program, settings, kind, model, fields, name, content, message
):
    response = admin_client.post(
        f"/o/acme/programs/{program.pk}/{kind}/new/",
        {**fields, "file": upload(name, content, "application/pdf")},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _count(acme, model) == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("kind", "model", "fields", "name", "content"),
    [
        ("training", TrainingModule, MODULE, "feedback.pdf", b"%PDF-1.7\n1 0 obj\n"),
        ("training", TrainingModule, MODULE, "feedback.pptx", office("ppt/presentation.xml")),
        ("resources", Resource, RESOURCE, "reading.docx", office("word/document.xml")),
        ("resources", Resource, RESOURCE, "poster.jpg", image("JPEG")),
    ],
)
def test_a_file_within_the_limit_is_saved_whole(
    admin_client, acme, program, settings, kind, model, fields, name, content
):
    response = admin_client.post(
        f"/o/acme/programs/{program.pk}/{kind}/new/", {**fields, "file": upload(name, content)}
    )

    assert response.status_code == 302
    with tenant_context(organization=acme):
        item = model.objects.get()
    assert stored_files(settings) == [item.file.name]
    assert Path(settings.MEDIA_ROOT, item.file.name).read_bytes() == content


def test_a_lowered_limit_applies_and_is_stated(admin_client, acme, program, settings):
    settings.UPLOAD_MAX_BYTES = {"material": 1024}

    page = admin_client.get(f"/o/acme/programs/{program.pk}/training/new/").content.decode()
    response = admin_client.post(
        f"/o/acme/programs/{program.pk}/training/new/",
        {**MODULE, "file": upload("poster.png", image("PNG", 800, 800))},
    )

    assert "or plain text; at most 1 KB." in page
    assert "“poster.png” is" in response.content.decode()
    assert "the limit is 1 KB." in response.content.decode()
    assert _count(acme, TrainingModule) == 0


def test_a_stored_file_is_not_checked_again_when_other_fields_change(
    admin_client, acme, program, settings
):
    """A file taken under the limits of its day stays: changing the title keeps it."""
    with tenant_context(organization=acme):
        module = TrainingModule.objects.create(
            organization=acme, program=program, title="Old", file=ContentFile(b"x", "old.pdf")
        )
    stored = module.file.name

    response = admin_client.post(
        f"/o/acme/programs/{program.pk}/training/{module.pk}/", {**MODULE, "title": "New"}
    )

    assert response.status_code == 302
    with tenant_context(organization=acme):
        module.refresh_from_db()
    assert (module.title, module.file.name) == ("New", stored)


def test_a_file_name_in_a_refusal_is_shown_as_text(admin_client, acme, program):
    name = "<img src=x onerror=alert(1)>.pdf"

    response = admin_client.post(
        f"/o/acme/programs/{program.pk}/training/new/", {**MODULE, "file": upload(name, HTML)}
    )

    page = response.content.decode()
    assert "“&lt;img src=x onerror=alert(1)&gt;.pdf” is named as a PDF file" in page
    assert "<img src=x" not in page
