"""Print a new key pair for sealing anonymous answers (surveys/sealing.py)."""

from django.core.management.base import BaseCommand

from surveys.sealing import generate_key_pair


class Command(BaseCommand):
    help = (
        "Print a new key pair for anonymous survey answers: the public key for every "
        "process, the private key for the Celery worker only."
    )

    def handle(self, *args, **options):
        public, private = generate_key_pair()
        self.stdout.write(
            "# Every process (web, worker, beat):\n"
            f"SURVEY_SEAL_PUBLIC_KEY={public}\n"
            "# The Celery worker only; keep it out of the web process and of backups of\n"
            "# the database. To rotate, put the new key first and keep the old one after\n"
            "# a comma until no answer sealed with it is held.\n"
            f"SURVEY_SEAL_PRIVATE_KEY={private}\n"
        )
