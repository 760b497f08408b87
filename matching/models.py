from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership
from organizations.tenancy import TenantModel
from programs.models import Cohort, Participant, Program


class MatchRun(TenantModel):
    """One run of the engine for a cohort. A draft is reviewed (swaps, overrides, locks,
    re-runs) and then published, which makes its pairs real."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        REPLACED = "replaced", _("Replaced by a re-run")

    class Mode(models.TextChoices):
        ENGINE = "engine", _("Engine")
        MENTEE_CHOICE = "mentee_choice", _("Mentees' choices")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="match_runs")
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ENGINE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    weights = models.JSONField(default=dict)
    mentor_count = models.PositiveIntegerField(default=0)
    mentee_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What the program manager should know about the run, in plain words: locked pairs
    # it could not keep, and why.
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cohort} ({self.get_status_display()}, {self.created_at:%Y-%m-%d})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Pair(TenantModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        DROPPED = "dropped", _("Dropped before publishing")

    class Source(models.TextChoices):
        ENGINE = "engine", _("Matched by the engine")
        MANAGER = "manager", _("Changed by a program manager")

    class EndedBy(models.TextChoices):
        MENTOR = "mentor", _("The mentor")
        MENTEE = "mentee", _("The mentee")
        MANAGER = "manager", _("A program manager")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="pairs")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENGINE)
    score = models.FloatField()
    components = models.JSONField(default=dict)
    explanation = models.TextField()
    locked = models.BooleanField(default=False)
    # Seen by program managers only.
    override_reason = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by_role = models.CharField(max_length=10, choices=EndedBy.choices, blank=True)
    # Seen by program managers only: never shown or sent to the two people.
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            # A mentee has one live pair per program at a time.
            models.UniqueConstraint(
                fields=["program", "mentee"],
                condition=models.Q(status__in=["proposed", "active"]),
                name="matching_pair_one_live_pair_per_mentee",
            )
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor.employee.name} → {self.mentee.employee.name}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)

    @property
    def is_active(self) -> bool:
        """Published and not ended: the two people meet."""
        return self.status == self.Status.ACTIVE

    @property
    def changed_by_manager(self) -> bool:
        return self.source == self.Source.MANAGER

    @property
    def ended_by_mentor(self) -> bool:
        return self.ended_by_role == self.EndedBy.MENTOR

    @property
    def ended_by_mentee(self) -> bool:
        return self.ended_by_role == self.EndedBy.MENTEE


class Unplaced(TenantModel):
    """Someone a run left without a partner, and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unplaced")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["pk"]


class RematchRequest(TenantModel):
    """A participant asking to be matched again, in one click: their pairing ended, or a
    published round left them without a partner. Open until a published round pairs them;
    the program manager sees the open ones on the cohort's matching page."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="rematch_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a published round pairs them: the request has been answered.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # Asking twice is one request: the second click finds the first.
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(resolved_at__isnull=True),
                name="matching_rematch_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} ({self.created_at:%Y-%m-%d})"
