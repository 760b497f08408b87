from django.core.management.base import BaseCommand, CommandError

from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.services import retention_refreeze


class Command(BaseCommand):
    help = (
        "Count an organisation's closed retention windows again and keep the new figures "
        "(after a correction the nightly job cannot see), then write yesterday's snapshots."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The organisation's slug.")

    def handle(self, *args, slug, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        with tenant_context(organization=organization):
            counted = retention_refreeze(organization=organization)
        self.stdout.write(f"Counted {counted} closed retention windows of {slug} again.")
