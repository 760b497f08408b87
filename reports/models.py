"""Nightly KPI snapshots: one row per organisation, scope and day."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.tenancy import TenantModel
from programs.models import Cohort, Program

# What a snapshot is about (``Snapshot.scope``): the organisation, a program or a cohort.
ORGANIZATION_SCOPE = "organization"


def program_scope(program_id: int) -> str:
    return f"program:{program_id}"


def cohort_scope(cohort_id: int) -> str:
    return f"cohort:{cohort_id}"


class Snapshot(TenantModel):
    """The KPIs' raw figures (numerators and denominators, see reports.formulas) for one
    scope on one day, and what may be shown of them that day (``published``). ``scope`` is
    "organization", "program:<id>" or "cohort:<id>"; the nightly job upserts on
    (organisation, scope, day), so writing a day twice leaves one row."""

    scope = models.CharField(max_length=40)
    program = models.ForeignKey(Program, null=True, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, null=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    figures = models.JSONField(default=dict)
    # The flat figures the measures read (reports.measures.TREND_FIGURES), kept apart:
    # a trend of months reads a few hundred bytes a day instead of whole snapshots.
    headline = models.JSONField(default=dict)
    # What the outputs show for the day (reports.publication): the measures as published
    # (small, read by the trends) and the dashboard's breakdowns as published. Every
    # output reads these, never the raw figures above.
    published = models.JSONField(default=dict)
    published_detail = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope", "day"], name="reports_snapshot_unique_day"
            )
        ]
        # A day's rows across scopes: the dashboard's cohort comparison.
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.scope} on {self.day}"


class FrozenRetention(TenantModel):
    """A cohort's retention and promotion figures once its 12-month window has closed
    (reports.kpis.retention), kept so that the nightly job need not count them again.

    A closed window counts alike on every later day, as long as what it was counted from
    is unchanged: ``inputs`` (reports.kpis.retention_inputs) notes the reports'
    threshold, the directory (its employees and level history, the latest HR import
    applied: a late import may correct the history) and the cohort's participants. Any
    change there and the window is counted again, then kept anew. What ``inputs`` does not
    see (another cohort's participant withdrawn after approval, which would put them back
    among the non-participants) changes nothing kept until ``manage.py retention_refreeze``."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    figures = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict)
    counted_on = models.DateField()  # the day whose snapshot counted it
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cohort"], name="reports_frozenretention_unique_cohort"
            )
        ]

    def __str__(self) -> str:
        return f"retention of cohort {self.cohort_id}, counted on {self.counted_on}"
