import os

from django.core.management.base import BaseCommand

from demo.organizations import seed_demo

DEFAULT_DEMO_PASSWORD = "upturn-demo"  # noqa: S105 - a published demo password, by design


class Command(BaseCommand):
    help = "Create or refresh the demo organisations (Acme, Globex) and their demo logins."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        demo = seed_demo(password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(demo.logins)} logins."))
        self.stdout.write(f"Password for every demo login: {password}")
        for login in demo.logins:
            self.stdout.write(
                f"  {login.email:<24} {login.role:<8} {login.name} ({login.organization})"
            )
        for organization, key in demo.api_keys.items():
            self.stdout.write(f"API key for {organization}: {key}  (see /api/v1/docs/)")
