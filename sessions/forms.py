from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from programs.models import Participant, Topic
from sessions.models import Commitment, MentoringSession
from sessions.services import Log, Plan


class PlanForm(forms.Form):
    """When and where, in the person's own time zone."""

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

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["time"].help_text = _("Your time: %(zone)s.") % {"zone": zone.key}

    def plan(self) -> Plan:
        data = self.cleaned_data
        starts_at = datetime.combine(data["date"], data["time"], tzinfo=self.zone)
        return Plan(
            starts_at=starts_at,
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


class LogForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("Did the session take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    when = forms.DateTimeField(
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

    def starts_at(self):
        when = self.cleaned_data.get("when")
        return when.replace(tzinfo=self.zone) if when else None

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
        self.fields["owner"].queryset = Participant.objects.filter(
            pk__in=[pair.mentor_id, pair.mentee_id]
        ).select_related("employee")
        self.fields["owner"].label_from_instance = lambda p: p.employee.name


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
