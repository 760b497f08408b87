"""The benchmark commands run end to end on a small organisation and print their figures
(CI runs the import at 50,000 rows in its stack smoke; these keep the commands working)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from directory.models import Employee
from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.models import Snapshot

pytestmark = pytest.mark.django_db


def _run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_the_import_benchmark_applies_its_file_and_prints_each_step(db):
    printed = _run("benchmark_directory_import", rows=120)

    assert re.search(r"status:\s+applied \(120 employees\)", printed), printed
    for step in ("upload (store):", "check (preview):", "apply:", "floor", "peak memory"):
        assert step in printed
    organization = Organization.objects.get(slug__startswith="benchmark-")
    with tenant_context(organization=organization):
        assert Employee.objects.count() == 120


def test_the_reports_benchmark_times_the_nightly_job_and_the_dashboard(acme, world):
    printed = _run("benchmark_reports", slug="acme", requests=2)

    assert re.search(
        r"Nightly job:\s+\d+\.\d+ s\s+median of \d+ \(min \d+\.\d+ s, \d+ queries\)", printed
    ), printed
    assert re.search(r"Dashboard page:\s+\d+\.\d+ ms median of 2", printed), printed
    assert printed.count("plain SQL floor:") == 2
    # Each figure beside its floor, as a ratio measured in the same run.
    assert len(re.findall(r"ratio:\s+\d+\.\dx the floor", printed)) == 2, printed
    with tenant_context(organization=acme):
        assert Snapshot.objects.filter(organization=acme).exists()


def test_the_reports_benchmark_names_a_missing_organisation(db):
    with pytest.raises(CommandError, match="No organisation 'nowhere'"):
        _run("benchmark_reports", slug="nowhere")


def test_the_reports_benchmark_runs_with_debug_off_where_collectstatic_never_ran(
    acme, world, settings, tmp_path
):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STORAGES = {
        **settings.STORAGES,
        # Production's storage is WhiteNoise's compressing subclass of this one; the
        # manifest is what matters here, and compressing every asset took a minute.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    printed = _run("benchmark_reports", slug="acme", requests=2)

    assert re.search(r"Dashboard page:\s+\d+\.\d+ ms median of 2", printed), printed
    assert not settings.STATIC_ROOT.exists()
