from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from organizations.dates import EARLIEST_DAY, DayRange, local_moment
from programs.models import Participant, Program, Topic
from sessions.models import Commitment, MentoringSession, Message
from sessions.services import Log, Plan, goal_due_date_problem, session_date_problem


class PlanForm(forms.Form):
    """When and where, in the person's own time zone (``directory.zones.zone_for``): a
    time their clocks skip is refused, one they show twice is its first occurrence
    (``organizations.dates.local_moment``)."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=15, max_value=240, initial=60
    )
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    location = forms.CharField(label=_("Or a place"), required=False, max_length=200)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, zone: ZoneInfo, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone, self.program = zone, program
        self.fields["time"].help_text = _("Your time: %(zone)s.") % {"zone": zone.key}

    def clean(self):
        data = super().clean()
        if data.get("date") is None or data.get("time") is None:
            return data
        if problem := session_date_problem(self.program, data["date"]):
            self.add_error("date", problem)
            return data
        try:
            data["starts_at"] = local_moment(data["date"], data["time"], self.zone)
        except forms.ValidationError as error:
            self.add_error("time", error)
        return data

    def plan(self) -> Plan:
        data = self.cleaned_data
        return Plan(
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            location=data.get("location", ""),
            video_link=data.get("video_link", ""),
            agenda=data.get("agenda", ""),
        )

    @classmethod
    def initial_for(cls, session, zone: ZoneInfo) -> dict:
        local = timezone.localtime(session.starts_at, zone)
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": session.duration_minutes,
            "video_link": session.video_link,
            "location": session.location,
            "agenda": session.agenda,
        }

    @staticmethod
    def next_slot(zone: ZoneInfo) -> dict:
        """A week from now at 10:00, their time: a sensible first suggestion."""
        day = (timezone.localtime(timezone.now(), zone) + timedelta(days=7)).date()
        return {"date": day, "time": time(10, 0), "duration_minutes": 60}


class WallClockField(forms.DateTimeField):
    """A date and time as typed, on no zone's clocks yet: the form puts it on the
    person's, not the request's (read on UTC's, where every time exists, and taken back)."""

    def to_python(self, value):
        with timezone.override(UTC):
            moment = super().to_python(value)
        return timezone.make_naive(moment, UTC) if moment is not None else None


class LogForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("Did the session take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    when = WallClockField(
        label=_("When (your time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    held_minutes = forms.IntegerField(
        label=_("How long (minutes)"), required=False, min_value=5, max_value=480
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics covered"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rating = forms.TypedChoiceField(
        label=_("How useful was it for you?"),
        choices=[("", "—"), *((str(n), f"{n} / 5") for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    learned = forms.CharField(
        label=_("What I learned"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    taught = forms.CharField(
        label=_("What I taught"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    shared_note = forms.CharField(
        label=_("A note for both of us"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the two of you can read it."),
    )
    private_note = forms.CharField(
        label=_("A private note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only you can read it: not your partner, not the program manager."),
    )

    def __init__(
        self, *args, topics, zone: ZoneInfo, needs_when: bool, facts_known=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topics
        self.zone = zone
        if facts_known:  # the other person said what happened; this one adds their part
            for name in ("held", "held_minutes", "topics"):
                del self.fields[name]
        if not needs_when:
            del self.fields["when"]
        else:
            self.fields["when"].required = True

    def clean_when(self):
        """A session that took place: not in the future (nor the year 9999), not before
        2000; the service holds it to the pair's own start."""
        when = self.cleaned_data.get("when")
        if when is None:
            return None
        today = timezone.localtime(timezone.now(), self.zone).date()
        DayRange(EARLIEST_DAY, today).check(when, what=_("The session's date"))
        return local_moment(when.date(), when.time(), self.zone)

    def starts_at(self):
        return self.cleaned_data.get("when")

    def log(self) -> Log:
        data = self.cleaned_data
        return Log(
            held=data.get("held", True),
            held_minutes=data.get("held_minutes"),
            topic_ids=tuple(t.pk for t in data.get("topics") or []),
            rating=data.get("rating"),
            learned=data.get("learned", ""),
            taught=data.get("taught", ""),
            shared_note=data.get("shared_note", ""),
            private_note=data.get("private_note", ""),
        )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=Message.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the two of you can read it. Links work."),
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal or action"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Whose"), queryset=Participant.objects.none(), required=False, empty_label=_("Both")
    )
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["owner"].queryset = Participant.objects.filter(
            pk__in=[pair.mentor_id, pair.mentee_id]
        ).select_related("employee")
        self.fields["owner"].label_from_instance = lambda p: p.employee.name

    def clean_due_date(self):
        due_date = self.cleaned_data.get("due_date")
        if problem := goal_due_date_problem(self.pair.program, due_date):
            raise forms.ValidationError(problem)
        return due_date


class PairEndForm(forms.Form):
    """Ending one's own pairing, from the pair's workspace (matching.services.pair_end)."""

    reason = forms.CharField(
        label=_("Why, in a sentence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say in a sentence why; only the program manager reads it.")},
    )


class ReflectionForm(forms.Form):
    """One's own part of a logged session, changed afterwards."""

    rating = forms.TypedChoiceField(
        label=_("How useful was it for you?"),
        choices=[(str(n), f"{n} / 5") for n in range(1, 6)],
        coerce=int,
    )
    learned = forms.CharField(
        label=_("What I learned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    taught = forms.CharField(
        label=_("What I taught"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(label=_("I commit to"), max_length=300)
    theme = forms.ChoiceField(label=_("Theme"), choices=Commitment.Theme.choices)
    session = forms.ModelChoiceField(
        label=_("After the session of"),
        queryset=MentoringSession.objects.none(),
        required=False,
        empty_label=_("No session in particular"),
        help_text=_("The session that led to it: the latest one that took place, unless you say."),
    )

    def __init__(self, *args, sessions, zone: ZoneInfo, **kwargs):
        """``sessions``: the pair's sessions that took place, the latest first."""
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        field.queryset = sessions
        field.label_from_instance = lambda session: date_format(
            timezone.localtime(session.starts_at, zone), "D j M Y, H:i"
        )
        if not self.is_bound:
            field.initial = sessions.values_list("pk", flat=True).first()
