from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from directory.models import Employee
from organizations.dates import ClampedDateField, program_range
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


def _check_dates_in_range(model: "Program | Cohort") -> None:
    """A program's or a cohort's dates: from 2000 to ten years ahead
    (``organizations.dates.program_range``), each error on its field."""
    days = program_range(timezone.localdate())
    problems = {
        name: days.problem(getattr(model, name), what=what)
        for name, what in (("start_date", _("The start date")), ("end_date", _("The end date")))
    }
    problems = {name: problem for name, problem in problems.items() if problem}
    if problems:
        raise ValidationError(problems)


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

        @property
        def is_draft(self) -> bool:
            return self is type(self).DRAFT

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
    start_date = ClampedDateField(_("starts"))
    end_date = ClampedDateField(_("ends"))
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
    # Eligibility, from the directory. In a reverse program the mentors are the junior
    # colleagues: at or below a level or tenure; the mentees at or above one.
    mentor_max_level = models.PositiveSmallIntegerField(
        _("mentors at or below job level"), null=True, blank=True
    )
    mentor_max_tenure_years = models.PositiveSmallIntegerField(
        _("mentors with at most this many years at the company"), null=True, blank=True
    )
    mentee_min_level = models.PositiveSmallIntegerField(
        _("mentees at or above job level"), null=True, blank=True
    )
    mentee_min_tenure_years = models.PositiveSmallIntegerField(
        _("mentees with at least this many years at the company"), null=True, blank=True
    )

    class MatchingMode(models.TextChoices):
        ENGINE = "engine", _("The program manager matches (reviewed before anyone is told)")
        MENTEE_CHOICE = "mentee_choice", _("Mentees choose from their top suggestions")

    matching_mode = models.CharField(
        _("matching"), max_length=20, choices=MatchingMode.choices, default=MatchingMode.ENGINE
    )
    # Matching's weights by component (programs.match_weights.Weights); empty: the defaults.
    match_weights = models.JSONField(default=dict, blank=True)
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
        _check_dates_in_range(self)
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": _("The program must end after it starts.")})
        if self.pk and self.start_date and self.end_date:
            # Cohorts run within their program (Cohort.clean): new dates must keep them in.
            outside = self.cohorts.filter(
                models.Q(start_date__lt=self.start_date) | models.Q(end_date__gt=self.end_date)
            )
            if outside:
                raise ValidationError(
                    _("The dates must include every cohort of the program: %(cohorts)s.")
                    % {
                        "cohorts": "; ".join(
                            f"{c.name} ({c.start_date} – {c.end_date})" for c in outside
                        )
                    }
                )

    @property
    def objective_labels(self) -> list[str]:
        labels = dict(self.Objective.choices)
        chosen = [str(labels[o]) for o in self.objectives if o in labels]
        return [*chosen, self.own_objective] if self.own_objective else chosen

    @property
    def open_for_enrolment(self) -> bool:
        """Later waves recruit while earlier cohorts match and meet."""
        return self.status in (self.Status.RECRUITING, self.Status.MATCHING, self.Status.ACTIVE)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def matching_open(self) -> bool:
        """Pairs can be made: the program is matching, or active with later cohorts."""
        return self.status in (self.Status.MATCHING, self.Status.ACTIVE)

    @property
    def both_teach(self) -> bool:
        return self.direction == self.Direction.MUTUAL

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
    start_date = ClampedDateField(_("starts"))
    end_date = ClampedDateField(_("ends"))
    size_limit = models.PositiveSmallIntegerField(
        _("at most this many participants"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(2000)],
        help_text=_("Leave empty for no limit."),
    )
    self_nomination_open = models.BooleanField(
        _("open to self-nomination"),
        default=False,
        help_text=_("Anyone in the directory who is eligible may apply through the cohort's link."),
    )
    # Set by the matching workflow on the cohort's first match run: profiles are fixed
    # from then on, so that what was matched is what people said.
    matching_started_at = models.DateTimeField(null=True, blank=True, editable=False)
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
        _check_dates_in_range(self)
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


class ProgramQuestion(TenantModel):
    """A program's own question on the application form."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


DAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
]
PARTS_OF_DAY = [
    ("morning", _("morning")),
    ("midday", _("midday")),
    ("afternoon", _("afternoon")),
]
# The slots people tick, stored as codes ("tue-morning") and always shown in words.
AVAILABILITY_CHOICES = [
    (f"{day}-{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in DAYS
    for part, part_label in PARTS_OF_DAY
]
AVAILABILITY_LABELS = dict(AVAILABILITY_CHOICES)


class Participant(TenantModel):
    """A person from the directory in a cohort, as mentor or mentee, from invitation to
    decision; their application is the profile matching will use."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

        @property
        def is_mentor(self) -> bool:
            return self is type(self).MENTOR

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

        # The participant emails tell what happened to a place by its new status.
        @property
        def is_invited(self) -> bool:
            return self is type(self).INVITED

        @property
        def is_approved(self) -> bool:
            return self is type(self).APPROVED

        @property
        def is_rejected(self) -> bool:
            return self is type(self).REJECTED

    class Source(models.TextChoices):
        INVITED = "invited", _("Invited by a program manager")
        SELF_NOMINATED = "self_nominated", _("Self-nominated")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participants")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.INVITED)
    invited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_message = models.TextField(_("message to the person"), blank=True)

    # The profile.
    goals = models.TextField(_("your goals"), blank=True)
    expectations = models.TextField(_("what you hope to get from the program"), blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("how many mentees you can take"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    answers = models.JSONField(default=dict, blank=True)  # ProgramQuestion pk -> answer
    # Directory entries (employee ids) the person would like, or would rather not, be
    # paired with: matching weighs them, never shows them to anyone else.
    asks_for = models.JSONField(default=list, blank=True)
    avoids = models.JSONField(default=list, blank=True)
    ground_rules_accepted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee__name"]
        constraints = [
            # One place per person in a program, whichever cohort.
            models.UniqueConstraint(
                fields=["program", "employee"], name="programs_participant_once_per_program"
            )
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.employee} ({self.get_role_display()})"

    @property
    def is_mentor(self) -> bool:
        return self.role == self.Role.MENTOR

    @property
    def is_mentee(self) -> bool:
        return self.role == self.Role.MENTEE

    @property
    def is_invited(self) -> bool:
        return self.status == self.Status.INVITED

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_rejected(self) -> bool:
        return self.status == self.Status.REJECTED

    @property
    def availability_labels(self) -> list[str]:
        """The ticked slots in words ("Tuesday morning"), in the week's order."""
        return [str(label) for code, label in AVAILABILITY_CHOICES if code in self.availability]

    @property
    def is_self_nominated(self) -> bool:
        return self.source == self.Source.SELF_NOMINATED

    @property
    def teaches(self) -> bool:
        return self.role == self.Role.MENTOR or self.program.both_teach

    @property
    def learns(self) -> bool:
        return self.role == self.Role.MENTEE or self.program.both_teach

    @property
    def is_open(self) -> bool:
        """Still in the running: invited, applied or approved."""
        return self.status in (self.Status.INVITED, self.Status.APPLIED, self.Status.APPROVED)

    @property
    def profile_editable(self) -> bool:
        """The profile may change until the person's cohort starts matching."""
        return self.is_open and self.cohort.matching_started_at is None


class ParticipantTopic(TenantModel):
    """A topic a participant can teach or wants to learn, at a level from 1 to 5."""

    class Kind(models.TextChoices):
        TEACH = "teach", _("Can teach")
        LEARN = "learn", _("Wants to learn")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="topics")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "topic", "kind"], name="programs_participanttopic_unique"
            )
        ]

    @property
    def can_teach(self) -> bool:
        return self.kind == self.Kind.TEACH


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Mentors and mentees")
    MENTORS = "mentors", _("Mentors")
    MENTEES = "mentees", _("Mentees")


class TrainingModule(TenantModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("A video, course or page."))
    file = models.FileField(_("file"), upload_to="training/%Y/%m/", blank=True)
    audience = models.CharField(
        _("for"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    required_before_matching = models.BooleanField(_("required before matching"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class TrainingCompletion(TenantModel):
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="completions"
    )
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "module"], name="programs_trainingcompletion_unique"
            )
        ]


class Resource(TenantModel):
    """Reading for a program's participants: the library, conversation guides and the
    session agenda templates that scheduling offers."""

    class Kind(models.TextChoices):
        LIBRARY = "library", _("Resource library")
        GUIDE = "guide", _("Conversation guide")
        AGENDA = "agenda", _("Session agenda template")

    class Purpose(models.TextChoices):
        """Which sessions an agenda template is suggested for; blank: any other agenda."""

        FIRST_SESSION = "first_session", _("A pair's first session")
        REGULAR = "regular", _("Every later session")
        CLOSING = "closing", _("The closing session")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # A marker, not the title: managers rename and reorder their agendas, and scheduling
    # must still find the first session's and a regular session's (sessions.selectors).
    purpose = models.CharField(
        _("suggested for"),
        max_length=20,
        choices=Purpose.choices,
        blank=True,
        help_text=_(
            "Session agenda templates only. When a pair schedules a session, the form "
            "starts with the agenda marked for a pair's first session, and after that "
            "with the one marked for every later session. Each can be given to one "
            "agenda of the program; leave it empty for any other agenda."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    link = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="resources/%Y/%m/", blank=True)
    audience = models.CharField(
        _("for"), max_length=10, choices=Audience.choices, default=Audience.EVERYONE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "purpose"],
                condition=~models.Q(purpose=""),
                name="programs_resource_one_agenda_per_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose="") | models.Q(kind="agenda"),
                name="programs_resource_purpose_only_for_agendas",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # The constraints, said in words: the form leaves ``program`` out, so Django's own
        # check of the unique rule would be skipped and the database would answer instead.
        super().clean()
        if not self.purpose:
            return
        if self.kind != self.Kind.AGENDA:
            raise ValidationError(
                {"purpose": _("Only session agenda templates are suggested for sessions.")}
            )
        taken = (
            Resource.objects.filter(program=self.program_id, purpose=self.purpose)
            .exclude(pk=self.pk)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "purpose": _(
                        "“%(title)s” is already suggested for %(purpose)s. Clear it there "
                        "first, or leave this one empty."
                    )
                    % {"title": taken.title, "purpose": self.get_purpose_display().lower()}
                }
            )
