from django.db import models


class DemoSeed(models.Model):
    """Which version of the demo data this database holds (one row), so that a second
    ``make run`` can skip seeding when the demo is current. Not tenant-owned: it speaks
    of the demo as a whole, not of one organisation."""

    version = models.PositiveIntegerField()
    seeded_at = models.DateTimeField()
    # The hash every demo login was given, and a keyed digest (HMAC with SECRET_KEY) of
    # the password it hashes: whether the logins still take the password asked for is
    # then a comparison, not a slow password hash (seconds on a loaded machine).
    login_hash = models.CharField(max_length=256, blank=True)
    password_digest = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Demo data v{self.version}, seeded {self.seeded_at:%Y-%m-%d %H:%M}"
