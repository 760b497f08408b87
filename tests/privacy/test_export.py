"""A person's export: built by the task on their behalf, theirs alone, for one day."""

import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import delivery
from notifications.models import Notification
from organizations.models import AuditAction, AuditEntry, Membership
from organizations.tenancy import tenant_context
from privacy.models import DataExport
from privacy.services.export import export_build, export_request, exports_expire
from privacy.tasks import exports_expire_task

pytestmark = pytest.mark.django_db


def _ask(client, acme, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:my_data", kwargs={"org_slug": acme.slug}))
    assert response.status_code == 302
    with tenant_context(organization=acme):
        return DataExport.objects.get(user=user)


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_person_asks_the_task_builds_and_they_download_everything_about_them(
    client, acme, story, django_capture_on_commit_callbacks
):
    export = _ask(client, acme, story["ann"], django_capture_on_commit_callbacks)
    assert export.status == DataExport.Status.READY
    assert export.expires_at - export.ready_at == timedelta(days=1)
    url = reverse(
        "privacy:export_download", kwargs={"org_slug": acme.slug, "dataexport_id": export.pk}
    )
    page = client.get(reverse("privacy:my_data", kwargs={"org_slug": acme.slug}))
    assert url in page.content.decode()
    archive = _zip(client.get(url))
    names = set(archive.namelist())
    assert {"profile.json", "profile.csv", "notes.json", "messages.csv", "audit_log.json"} <= names
    data = {n: json.loads(archive.read(n)) for n in names if n.endswith(".json")}
    assert data["profile.json"][0]["email"] == "ann@acme.example"
    # Their private note is there (the build ran on their behalf), Dan's is not.
    assert {n["text"] for n in data["notes.json"]} == {"Ann's private note", "Ann's shared note"}
    assert [m["text"] for m in data["messages.json"]] == ["Hello from Ann", "Hello from Dan"]
    assert data["reflections.json"][0]["learned"] == "Ann learned how Dan decides"
    # Attributed answers only: the anonymous one is nobody's.
    assert [a["answer"] for a in data["survey_answers.json"]] == ["Ann's attributed"]
    assert data["concerns.json"][0]["text"] == "Ann worries the pair drifts"
    assert {e["action"] for e in data["audit_log.json"]} >= {
        AuditAction.SIGNED_IN,
        AuditAction.DATA_EXPORT_REQUESTED,
    }
    assert "Ann's attributed" in archive.read("survey_answers.csv").decode()
    # Told in the app and by email, with the link to their data page.
    with tenant_context(organization=acme):
        notice = Notification.objects.get(kind="data_export_ready")
    assert notice.url == reverse("privacy:my_data", kwargs={"org_slug": acme.slug})
    # Emailed as news (never muted or capped), out of the person's night.
    delivery.deliver(acme, notice.send_after)
    assert any(
        "export is ready" in message.subject and "ann@acme.example" in message.to
        for message in mail.outbox
    )


def test_only_the_person_downloads_it_not_an_admin(
    client, acme, story, acme_admin, django_capture_on_commit_callbacks
):
    export = _ask(client, acme, story["ann"], django_capture_on_commit_callbacks)
    client.force_login(acme_admin)
    url = reverse(
        "privacy:export_download", kwargs={"org_slug": acme.slug, "dataexport_id": export.pk}
    )
    assert client.get(url).status_code == 404


def test_after_a_day_the_file_is_deleted_and_the_link_says_so(
    client, acme, story, django_capture_on_commit_callbacks
):
    export = _ask(client, acme, story["ann"], django_capture_on_commit_callbacks)
    stored = export.file.path
    with tenant_context(organization=acme):
        DataExport.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    exports_expire_task.delay()
    with tenant_context(organization=acme):
        export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED and not export.file
    assert not os.path.exists(stored)
    url = reverse(
        "privacy:export_download", kwargs={"org_slug": acme.slug, "dataexport_id": export.pk}
    )
    response = client.get(url)
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()


def test_asking_twice_while_it_is_prepared_is_one_request_and_building_twice_builds_once(
    acme, story
):
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=story["ann"])
        first = export_request(organization=acme, membership=membership)
        again = export_request(organization=acme, membership=membership)
        assert first.pk == again.pk and DataExport.objects.count() == 1
        built = export_build(organization=acme, export_id=first.pk)
        name = built.file.name
        assert export_build(organization=acme, export_id=first.pk).file.name == name
        assert exports_expire(organization=acme) == 0
        assert AuditEntry.objects.filter(action=AuditAction.DATA_EXPORT_REQUESTED).count() == 1


def test_a_csv_cell_never_runs_as_a_formula(acme, story):
    from privacy.services.export import archive

    content = archive({"notes": [{"text": "=HYPERLINK(1)"}]})
    assert "'=HYPERLINK(1)" in zipfile.ZipFile(io.BytesIO(content)).read("notes.csv").decode()
