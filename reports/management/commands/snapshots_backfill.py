from datetime import date

from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.services import snapshots_backfill


class Command(BaseCommand):
    help = "Rebuild an organisation's KPI snapshots for a range of days (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("start", type=date.fromisoformat, help="First day, YYYY-MM-DD.")
        parser.add_argument("end", type=date.fromisoformat, help="Last day, YYYY-MM-DD.")
        parser.add_argument(
            "--every", type=int, default=1, help="Days between snapshots (default 1)."
        )

    def handle(self, *args, slug, start, end, every, **options):
        if end < start:
            raise CommandError("The last day comes before the first.")
        if every < 1:
            raise CommandError("--every must be at least 1.")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        with tenant_context(organization=organization):
            written = snapshots_backfill(
                organization=organization, start=start, end=end, every_days=every
            )
        self.stdout.write(f"Wrote {written} snapshots for {slug}, {start} to {end}.")
