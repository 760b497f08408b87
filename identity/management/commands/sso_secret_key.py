from django.core.management.base import BaseCommand

from identity.secrets import generate_key


class Command(BaseCommand):
    help = "Print a new key for SSO_SECRET_KEY (encrypts identity providers' secrets)."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
