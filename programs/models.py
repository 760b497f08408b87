from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership
from organizations.tenancy import TenantModel

DEFAULT_GROUND_RULES = _(
    "What we say in our sessions stays between us unless we both agree to share it. "
    "We meet as equals: the junior colleague is the expert in the room. "
    "We give honest feedback kindly, and receive it with curiosity. "
    "Either of us can end the pairing without blame by telling the program manager."
)


class Topic(TenantModel):
    """A subject people teach and learn, from the organisation's own catalogue."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Retired topics stay on old programs.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="programs_topic_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Program(TenantModel):
    class Direction(models.TextChoices):
        REVERSE = "reverse", _("Reverse: the junior colleague mentors the senior one")
        MUTUAL = "mutual", _("Mutual: both teach")
        TRADITIONAL = "traditional", _("Traditional: the senior colleague mentors")

    class Objective(models.TextChoices):
        DIGITAL_FLUENCY = "digital_fluency", _("Digital fluency")
        INCLUSION = "inclusion", _("Inclusion")
        INTERGENERATIONAL = "intergenerational", _("Intergenerational collaboration")
        RETENTION = "retention", _("Retention")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RECRUITING = "recruiting", _("Recruiting")
        MATCHING = "matching", _("Matching")
        ACTIVE = "active", _("Active")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    objectives = models.JSONField(_("objectives"), default=list, blank=True)
    own_objective = models.CharField(
        _("your own objective"),
        max_length=200,
        blank=True,
        help_text=_("Anything else the program is for, in your words."),
    )
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.REVERSE
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    sessions_per_month = models.PositiveSmallIntegerField(
        _("sessions a month"), default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("minutes a session"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    planned_sessions = models.PositiveSmallIntegerField(
        _("planned sessions"), default=6, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    topics = models.ManyToManyField(Topic, through="ProgramTopic", blank=True, related_name="+")
    ground_rules = models.TextField(
        _("confidentiality ground rules"),
        default=DEFAULT_GROUND_RULES,
        help_text=_("Every participant accepts these before they join."),
    )
    satisfaction_target = models.PositiveSmallIntegerField(
        _("satisfaction target (%)"),
        default=90,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of end-of-program answers at 4 or 5 of 5."),
    )
    cadence_target = models.PositiveSmallIntegerField(
        _("cadence target (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of pairs that keep the planned rhythm."),
    )
    managers = models.ManyToManyField(
        Membership, through="ProgramManager", blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The program must end after it starts.")})

    @property
    def months(self) -> float:
        return (self.end_date - self.start_date).days / 30.44

    @property
    def unusual_length(self) -> bool:
        """Outside the 3 to 12 months most programs run: worth a warning, not a refusal."""
        return not 3 <= round(self.months, 1) <= 12


class ProgramTopic(TenantModel):
    # An explicit link table, so that it too carries the organisation (and its policies).
    program = models.ForeignKey(Program, on_delete=models.CASCADE)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "topic"], name="programs_programtopic_unique"
            )
        ]


class ProgramManager(TenantModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE)
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "membership"], name="programs_programmanager_unique"
            )
        ]


class Cohort(TenantModel):
    """A group of a program that starts together: a pilot, then waves."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    size_limit = models.PositiveSmallIntegerField(
        _("at most this many participants"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(2000)],
        help_text=_("Leave empty for no limit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="programs_cohort_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not (self.start_date and self.end_date):
            return
        if self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The cohort must end after it starts.")})
        program = self.program
        if self.start_date < program.start_date or self.end_date > program.end_date:
            raise ValidationError(
                _("A cohort runs within its program: %(start)s to %(end)s.")
                % {"start": program.start_date, "end": program.end_date}
            )
