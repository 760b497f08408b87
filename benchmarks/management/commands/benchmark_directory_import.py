"""Times an HR file import from upload to applied beside its floor, and reports memory.

    python manage.py benchmark_directory_import --rows 50000

Generates a realistic roster file of that many rows (in a process of its own, so that
this one's memory is the import's alone), then runs what the app runs for an upload
(store the file, check it, apply it) into a fresh organisation named
benchmark-<timestamp>. Run it against a scratch database: the organisation stays.

The floor, measured in the same run on the same file: COPY of the file as text into a
(temporary) table with two indexes, the least any import of it into the database costs.
The memory baseline is taken before the roster or the organisation exists.
"""

import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from demo.roster import write_roster_file
from directory import services
from directory.csv_format import COLUMNS
from directory.models import DirectoryImport, Employee
from organizations.models import Organization
from organizations.tenancy import tenant_context


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _floor_seconds(path: Path) -> float:
    """COPY the file into a table with two indexes (a unique employee number, an
    email), in a transaction of its own; the table goes with it."""
    columns = ", ".join(f"{name} text" for name in COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE benchmark_floor ({columns}) ON COMMIT DROP")
        cursor.execute("CREATE UNIQUE INDEX ON benchmark_floor (employee_number)")
        cursor.execute("CREATE INDEX ON benchmark_floor (email)")
        started = time.perf_counter()
        with (
            path.open("rb") as source,
            cursor.cursor.copy("COPY benchmark_floor FROM STDIN WITH (FORMAT csv, HEADER)") as copy,
        ):
            while block := source.read(1 << 16):
                copy.write(block)
        return time.perf_counter() - started


class Command(BaseCommand):
    help = "Time an HR file import of --rows rows from upload to applied, beside its floor."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=50_000)

    def handle(self, *args, rows: int, **options):
        baseline = _peak_rss_mb()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "roster.csv"
            writer = multiprocessing.get_context("spawn").Process(
                target=write_roster_file,
                args=(str(path),),
                kwargs={"slug": "bench", "size": rows, "columns": COLUMNS},
            )
            writer.start()
            writer.join()
            size_mb = path.stat().st_size / 1024 / 1024
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
            peak = _peak_rss_mb()
            floor = _floor_seconds(path) if connection.vendor == "postgresql" else None

        total = applied - started
        self.stdout.write(f"rows in file:       {rows:,} ({size_mb:.1f} MB)")
        self.stdout.write(f"status:             {record.status} ({applied_rows:,} employees)")
        self.stdout.write(f"upload (store):     {stored - started:6.2f} s")
        self.stdout.write(f"check (preview):    {checked - stored:6.2f} s")
        self.stdout.write(f"apply:              {applied - checked:6.2f} s")
        self.stdout.write(f"upload to applied:  {total:6.2f} s")
        if floor is not None:
            self.stdout.write(f"floor (COPY into a table with 2 indexes): {floor:6.2f} s")
            self.stdout.write(f"ratio (upload to applied / floor): {total / floor:.1f}x")
        self.stdout.write(
            f"peak memory (RSS):  {peak:.0f} MB (before the roster existed: {baseline:.0f} MB; "
            f"growth {peak - baseline:.0f} MB)"
        )
