import os
import time

from django.core.management.base import BaseCommand

from demo.organizations import seed_demo

DEFAULT_DEMO_PASSWORD = "upturn-demo"  # noqa: S105 - a published demo password, by design


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisations (Acme, Globex) and their demo logins; "
        "skipped when the database already holds the current demo (--force seeds anyway)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed again even if the demo is current."
        )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        began = time.monotonic()

        def progress(message: str, started: float) -> None:
            self.stdout.write(f"  {message} ({time.monotonic() - started:.1f} s)")

        self.stdout.write("Demo data: checking whether this database holds the current demo...")
        demo = seed_demo(password=password, force=options["force"], progress=progress)
        took = f"{time.monotonic() - began:.1f} s"
        if demo.seeded:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data ready: {len(demo.logins)} logins ({took}).")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data is current: left as it is ({took}); "
                    "`manage.py seed_demo --force` seeds it again."
                )
            )
        self.stdout.write(f"Password for every demo login: {password}")
        for login in demo.logins:
            self.stdout.write(
                f"  {login.email:<24} {login.role:<8} {login.name} ({login.organization})"
            )
        for organization, key in demo.api_keys.items():
            self.stdout.write(f"API key for {organization}: {key}  (see /api/v1/docs/)")
        for organization, token in demo.scim_tokens.items():
            self.stdout.write(f"SCIM token for {organization}: {token}  (base URL /scim/v2/)")
