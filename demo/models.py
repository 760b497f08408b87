from django.db import models


class DemoSeed(models.Model):
    """Which version of the demo data this database holds (one row), so that a second
    ``make run`` can skip seeding when the demo is current. Not tenant-owned: it speaks
    of the demo as a whole, not of one organisation."""

    version = models.PositiveIntegerField()
    seeded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Demo data v{self.version}, seeded {self.seeded_at:%Y-%m-%d %H:%M}"
