"""Times an HR file import from upload to applied, and reports the peak memory.

    python manage.py benchmark_directory_import --rows 50000

Generates a realistic roster file of that many rows, then runs what the app runs for an
upload (store the file, check it, apply it) into a fresh organisation named
benchmark-<timestamp>. Run it against a scratch database: the organisation stays.
"""

import csv
import resource
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.roster import demo_roster
from directory import services
from directory.csv_format import COLUMNS
from directory.models import DirectoryImport, Employee
from organizations.models import Organization
from organizations.tenancy import tenant_context


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class Command(BaseCommand):
    help = "Time an HR file import of --rows rows from upload to applied; print peak memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=50_000)

    def handle(self, *args, rows: int, **options):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "roster.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                for _, row in demo_roster(slug="bench", size=rows):
                    writer.writerow(row)
            size_mb = path.stat().st_size / 1024 / 1024
            baseline = _peak_rss_mb()
            stamp = timezone.now().strftime("%Y%m%d%H%M%S")
            organization = Organization.objects.create(
                name=f"Benchmark {stamp}", slug=f"benchmark-{stamp}"
            )
            started = time.perf_counter()
            with tenant_context(organization=organization), path.open("rb") as upload:
                record = DirectoryImport.objects.create(
                    organization=organization,
                    original_name=path.name,
                    file=File(upload, name=path.name),
                )
            stored = time.perf_counter()
            with tenant_context(organization=organization):
                record = services.directory_import_check(directory_import=record)
            checked = time.perf_counter()
            with tenant_context(organization=organization):
                record = services.directory_import_apply(directory_import=record, actor=None)
                applied_rows = Employee.objects.count()
            applied = time.perf_counter()

        self.stdout.write(f"rows in file:       {rows:,} ({size_mb:.1f} MB)")
        self.stdout.write(f"status:             {record.status} ({applied_rows:,} employees)")
        self.stdout.write(f"upload (store):     {stored - started:6.2f} s")
        self.stdout.write(f"check (preview):    {checked - stored:6.2f} s")
        self.stdout.write(f"apply (re-check + write): {applied - checked:6.2f} s")
        self.stdout.write(f"upload to applied:  {applied - started:6.2f} s")
        self.stdout.write(
            f"peak memory (RSS):  {_peak_rss_mb():.0f} MB (before the import: {baseline:.0f} MB)"
        )
