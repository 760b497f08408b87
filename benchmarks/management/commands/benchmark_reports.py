from django.core.management.base import BaseCommand, CommandError

from benchmarks import reports as benchmark
from organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Time the nightly snapshot job and the dashboard page on one organisation (e.g. "
        "the one generate_scale_org makes), next to plain SQL for the same numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--requests", type=int, default=20)

    def handle(self, *args, slug, requests, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation {slug!r}: run generate_scale_org first.")
        out = self.stdout.write
        job = benchmark.nightly(organization)
        floor = benchmark.nightly_floor(organization)
        out(f"Nightly job:       {job.median_ms / 1000:8.2f} s   ({job.queries} queries)")
        out(
            f"  plain SQL floor: {floor.median_ms / 1000:8.2f} s   "
            f"({floor.queries} queries: the biggest scans alone)"
        )
        page = benchmark.dashboard(organization, repeat=requests)
        floor = benchmark.dashboard_floor(organization, repeat=requests)
        out(
            f"Dashboard page:    {page.median_ms:8.1f} ms median of {requests} "
            f"({page.queries} queries, server time through the whole Django stack)"
        )
        out(f"  plain SQL floor: {floor.median_ms:8.1f} ms median ({floor.queries} queries)")
