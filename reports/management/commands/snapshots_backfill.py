from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.selectors import last_complete_day
from reports.services import snapshots_backfill


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a day as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Rebuild an organisation's KPI snapshots for a range of days (idempotent), from the "
        "day the organisation was created to yesterday in its time zone at the latest."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("start", type=_day, help="First day, YYYY-MM-DD.")
        parser.add_argument("end", type=_day, help="Last day, YYYY-MM-DD.")
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
        # A snapshot is a finished day's figures: today's are still changing (the nightly
        # job writes yesterday), and a day before the organisation existed has none to
        # give, so a snapshot of it would be a row of zeros taken for history.
        latest = last_complete_day(organization)
        if end > latest:
            raise CommandError(
                f"The last day, {end}, has not ended yet in {organization.zone}: "
                f"the latest day to rebuild is yesterday, {latest}."
            )
        created = timezone.localtime(organization.created_at, organization.zone).date()
        if start < created:
            raise CommandError(
                f"The first day, {start}, is before {slug} was created on {created}: "
                f"start on {created} or later."
            )
        with tenant_context(organization=organization):
            written = snapshots_backfill(
                organization=organization, start=start, end=end, every_days=every
            )
        self.stdout.write(f"Wrote {written} snapshots for {slug}, {start} to {end}.")
