from django.core.management.base import BaseCommand, CommandError

from benchmarks import reports as benchmark
from organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Time the nightly snapshot job and the dashboard page on one organisation (e.g. "
        "the one generate_scale_org makes), each next to plain SQL for the same numbers, "
        "measured in the same run, and print the ratio of the two."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--requests", type=int, default=20)
        parser.add_argument("--nights", type=int, default=3, help="Runs of the nightly job.")

    def handle(self, *args, slug, requests, nights, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation {slug!r}: run generate_scale_org first.")
        out = self.stdout.write
        job = benchmark.nightly(organization, repeat=nights)
        floor = benchmark.nightly_floor(organization)
        out(
            f"Nightly job:       {job.median_ms / 1000:8.2f} s   median of {nights} "
            f"(min {job.min_ms / 1000:.2f} s, {job.queries} queries)"
        )
        out(
            f"  plain SQL floor: {floor.median_ms / 1000:8.2f} s   "
            f"({floor.queries} queries: the biggest scans alone)"
        )
        out(f"  ratio:           {job.median_ms / floor.median_ms:8.1f}x the floor")
        page = benchmark.dashboard(organization, repeat=requests)
        cold = benchmark.dashboard(organization, repeat=max(requests // 4, 1), cold=True)
        floor = benchmark.dashboard_floor(organization, repeat=requests)
        out(
            f"Dashboard page:    {page.median_ms:8.1f} ms median of {requests} "
            f"(min {page.min_ms:.1f} ms, {page.queries} queries, server time through the "
            "whole Django stack, sections from the cache)"
        )
        out(
            f"  first request after a snapshot: {cold.median_ms:.1f} ms median of "
            f"{len(cold.seconds)} ({cold.queries} queries, sections built and cached)"
        )
        out(f"  plain SQL floor: {floor.median_ms:8.1f} ms median ({floor.queries} queries)")
        out(f"  ratio:           {page.median_ms / floor.median_ms:8.1f}x the floor")
