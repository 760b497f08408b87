"""The pair's workspace: sessions (scheduled and logged), each person's reflection and
notes, goals, commitments; mentor support circles; and the notifications that remind
people of all of it."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from matching.models import Pair
from organizations.dates import ClampedDateField, ClampedDateTimeField
from organizations.tenancy import TenantModel
from programs.models import Participant, Program


def new_uid() -> str:
    return f"{uuid.uuid4().hex}@upturn"


class MentoringSession(TenantModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        NOT_HELD = "not_held", _("Did not take place")
        CANCELLED = "cancelled", _("Cancelled")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="sessions")
    starts_at = ClampedDateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The calendar event: one UID for the session's life, a higher SEQUENCE per change.
    uid = models.CharField(max_length=64, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # The log, once it took place (or did not).
    held_minutes = models.PositiveSmallIntegerField(
        _("how long it lasted (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    topic_ids = models.JSONField(default=list, blank=True)  # the program's topics covered
    logged_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["pair", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.pair} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_scheduled(self) -> bool:
        """Booked and not logged yet, whether or not its time has passed."""
        return self.status == self.Status.SCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class SessionChange(TenantModel):
    """Who moved or cancelled a session, and how close to it: the pair's reliability."""

    append_only = True

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", _("Rescheduled")
        CANCELLED = "cancelled", _("Cancelled")

    LATE_HOURS = 24  # a change with less notice than this counts as late

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    requested_by_role = models.CharField(max_length=10)  # mentor, mentee or manager
    requested_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hours_notice = models.FloatField()
    previous_starts_at = ClampedDateTimeField()
    new_starts_at = ClampedDateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_late(self) -> bool:
        return self.hours_notice < self.LATE_HOURS


class Reflection(TenantModel):
    """One person's log of a session: what they learned and taught, and a rating."""

    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, related_name="reflections"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        _("how useful was it (1 to 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    learned = models.TextField(_("what I learned"), blank=True)
    taught = models.TextField(_("what I taught"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="mentoring_reflection_once_per_person"
            )
        ]


class Note(TenantModel):
    """A note on a session. Private: its author only; shared: the pair only. Nobody else
    reads either, program managers included.

    The private rule also holds inside PostgreSQL: a restrictive row-level policy hides a
    private note from every query not made on its author's behalf."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        SHARED = "shared", _("Both of us")

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    rls_restrictive_read_policies = {
        "note_private_to_author": (
            "visibility <> 'private' OR author_user_id = upturn_current_user()"
        )
    }

    class Meta:
        ordering = ["created_at"]

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE


class Goal(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal or action"), max_length=300)
    owner = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("whose"),
    )  # empty: both of them
    due_date = ClampedDateField(_("due"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_date", "pk"]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_dropped(self) -> bool:
        return self.status == self.Status.DROPPED


class Commitment(TenantModel):
    """What the senior person commits to change: the outcome reverse mentoring is for."""

    class Theme(models.TextChoices):
        TOOL = "tool", _("A tool to adopt")
        HABIT = "habit", _("A habit")
        PRACTICE = "practice", _("A policy or practice to revisit")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="commitments")
    session = models.ForeignKey(
        MentoringSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("I commit to"), max_length=300)
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-created_at"]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SupportCircle(TenantModel):
    """A program's group meeting for mentors only: they compare notes and support each other."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="circles")
    title = models.CharField(_("title"), max_length=200)
    starts_at = ClampedDateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=45, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    # The calendar event's SEQUENCE: one more per change, so calendars move the meeting.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def uid(self) -> str:
        """The calendar event's UID: circles live in the deployment's one table, so the
        id is unique, and it never changes."""
        return f"circle-{self.pk}@upturn"

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)


class CircleAttendance(TenantModel):
    circle = models.ForeignKey(SupportCircle, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "participant"], name="mentoring_circleattendance_unique"
            )
        ]


class CalendarFeed(TenantModel):
    """A person's calendar feed in one organisation: the sessions and support circles
    their calendar app subscribes to, behind a secret address. Only the token's hash is
    kept, so the address is shown once; revoking deletes the row and a new one replaces it.
    """

    membership = models.OneToOneField(
        "organizations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Conversation(TenantModel):
    """A pair's message thread: what program managers may know of it (when the pair last
    wrote) and each person's read marker. The messages themselves are ``Message`` rows,
    which only the pair's two people can read."""

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="conversation")
    last_message_at = models.DateTimeField(null=True, blank=True)
    mentor_read_at = models.DateTimeField(null=True, blank=True)
    mentee_read_at = models.DateTimeField(null=True, blank=True)


# Inside PostgreSQL: a message shows only to a query made on behalf of one of its pair's
# two people (their active membership, through the directory entry of the participant).
MESSAGE_READERS = """EXISTS (
    SELECT 1 FROM mentoring_conversation c
    JOIN matching_pair p ON p.id = c.pair_id
    JOIN programs_participant pt ON pt.id IN (p.mentor_id, p.mentee_id)
    JOIN organizations_employee e ON e.id = pt.employee_id
    JOIN organizations_membership m ON m.id = e.member_id
    WHERE c.id = conversation_id AND m.is_active AND m.user_id = upturn_current_user()
)"""


class Message(TenantModel):
    """One short message of a pair's thread. For the pair's two people only: program
    managers and executives never read it, and a restrictive row-level policy says so in
    the database.

    ``conversation`` is deleted in the database (ON DELETE CASCADE, migration 0007): the
    retention sweep, which acts for nobody and so cannot read a message, deletes the
    conversation and PostgreSQL deletes its messages."""

    MAX_LENGTH = 2000

    conversation = models.ForeignKey(
        Conversation, on_delete=models.DO_NOTHING, related_name="messages"
    )
    sender = models.ForeignKey(Participant, on_delete=models.DO_NOTHING, related_name="+")
    text = models.TextField(_("message"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    rls_restrictive_read_policies = {"message_pair_only": MESSAGE_READERS}

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]
