"""Feedback surveys: questions, schedules per cohort, who was asked, and the answers.

Anonymity is structural. Whether someone answered (``Assignment.answered``) lives apart
from what was answered (``Response``): an anonymous response carries its cohort and
role and nothing else about the person, a random id and no time finer than the ISO
week; nothing links the two tables. Anonymous answers are first held (``HeldResponse``),
sealed to a key only the worker holds, and released into ``Response`` in shuffled
batches of at least the results' smallest group by another transaction, so that not
even the database's own bookkeeping (a row's transaction id, its physical order) ties
an answer to the moment, and so to the person, who gave it (``surveys.sealing``).
"""

import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matching.models import Pair
from organizations.models import Membership
from organizations.tenancy import TenantModel
from programs.models import Cohort, Participant, Program


class Survey(TenantModel):
    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline self-assessment")
        PULSE = "pulse", _("Pulse after a session")
        MIDPOINT = "midpoint", _("Midpoint check-in")
        END = "end", _("End of program")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CUSTOM = "custom", _("Custom")

    # A template of the organisation's library has no program; a program's survey does.
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Answers keep the cohort and role, never the person."),
    )
    show_free_text = models.BooleanField(
        _("show free-text answers in the results"),
        default=False,
        help_text=_("Otherwise free text is counted, never shown."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class QuestionTypes:
    """What kind of question it is, for a question and for its results
    (``surveys.selectors.results.QuestionResult``): anything with a ``type`` of
    ``Question.Type``."""

    @property
    def is_agreement(self) -> bool:
        return self.type == Question.Type.AGREEMENT

    @property
    def is_nps(self) -> bool:
        return self.type == Question.Type.NPS

    @property
    def is_single(self) -> bool:
        return self.type == Question.Type.SINGLE

    @property
    def is_multiple(self) -> bool:
        return self.type == Question.Type.MULTIPLE

    @property
    def is_text(self) -> bool:
        return self.type == Question.Type.TEXT

    @property
    def is_skills(self) -> bool:
        return self.type == Question.Type.SKILLS


class Question(QuestionTypes, TenantModel):
    class Type(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement, 1 to 5")
        NPS = "nps", _("Likelihood to recommend, 0 to 10")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        TEXT = "text", _("Free text")
        SKILLS = "skills", _("Skill self-rating per topic, 1 to 5")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.CharField(_("section"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # single and multiple
    # A free-text question whose answers may become success stories, with consent.
    story = models.BooleanField(_("asks for a story to share"), default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Schedule(TenantModel):
    """A survey sent to a cohort: when, to whom, until when."""

    class Anchor(models.TextChoices):
        COHORT_START = "cohort_start", _("Days after the cohort starts")
        COHORT_END = "cohort_end", _("Days after the cohort ends")
        EACH_SESSION = "each_session", _("After each logged session")

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentors and mentees")
        MENTORS = "mentors", _("Mentors")
        MENTEES = "mentees", _("Mentees")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="schedules")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="survey_schedules")
    anchor = models.CharField(_("when"), max_length=14, choices=Anchor.choices)
    offset_days = models.SmallIntegerField(
        _("days"), default=0, validators=[MinValueValidator(-90), MaxValueValidator(365)]
    )
    audience = models.CharField(
        _("to"), max_length=8, choices=Audience.choices, default=Audience.BOTH
    )
    open_days = models.PositiveSmallIntegerField(
        _("open for (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Assignment(TenantModel):
    """Someone asked to answer, on one occasion. Knows *that* they answered, never what."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="assignments")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    occasion = models.CharField(max_length=60)  # "start", "end", "session:<id>"
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    answered = models.BooleanField(default=False)

    class Meta:
        ordering = ["closes_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "participant", "occasion"], name="surveys_assignment_once"
            )
        ]


class Response(TenantModel):
    """One set of answers. Anonymous: cohort and role only, with the ISO week it came in.
    Attributed: also the participant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="responses")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)
    week = models.CharField(max_length=8)  # "2027-W14"
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # attributed surveys only
    # Attributed surveys only, for breakdowns: an anonymous answer keeps neither.
    department = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    story_consent = models.BooleanField(default=False)


class HeldResponse(TenantModel):
    """An anonymous answer waiting to be released into Response with others (see
    ``surveys.services.responses_release``). The row is written with the "answered" mark
    of its person, so it holds nothing readable: the week, the answers and the consent
    are sealed to a key the web process does not have, padded to one size per survey
    (``surveys.sealing``). The role is plain: the assignment says it anyway, and the
    release batches by it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10)
    sealed = models.BinaryField()
    sealed_with = models.CharField(max_length=16)  # the public key's id (surveys.sealing)


class Answer(TenantModel):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()  # number, text, list of choices, or {topic id: level}


class Story(TenantModel):
    """A success story from an end-of-program answer given with consent to share; the
    program manager chooses which are shown."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stories")
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="story")
    featured = models.BooleanField(default=False)


class Concern(TenantModel):
    """A mentor's concern about their pair, for the program manager only (never the other
    person of the pair). A named concern keeps its author and pair; an anonymous one keeps
    only the program (the pair would name its mentor)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        FOLLOWING_UP = "following_up", _("Following up")
        RESOLVED = "resolved", _("Resolved")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="concerns")
    pair = models.ForeignKey(
        Pair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # empty when raised anonymously
    text = models.TextField(_("what worries you"))
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.NEW)
    follow_up = models.TextField(_("follow-up (program managers)"), blank=True)
    week = models.CharField(max_length=8)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED

    @property
    def week_start(self) -> date | None:
        """The Monday of the ISO week it was raised in ("2027-W14"), which pages show as
        "week of 5 April": a concern keeps only its week, so that nobody can tell the
        day an anonymous one came in."""
        year, _sep, number = self.week.partition("-W")
        try:
            return date.fromisocalendar(int(year), int(number), 1)
        except ValueError:
            return None
