"""Forms of the survey builder: a survey's settings, its questions, and sending it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Cohort
from surveys.models import Question, Schedule, Survey
from surveys.services import offset_days_problem

CHOICE_TYPES = {Question.Type.SINGLE, Question.Type.MULTIPLE}
MAX_CHOICES = 20
MAX_CHOICE_LENGTH = 200


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "anonymous", "show_free_text"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intro"].help_text = _("Shown to respondents above the first question.")
        # People were told whether their answers are anonymous before they answered: once
        # the survey has gone out, changing it would break that promise one way or the other.
        if self.instance.pk and self.instance.schedules.exists():
            self.fields["anonymous"].disabled = True
            self.fields["anonymous"].help_text = _(
                "Fixed once the survey has been sent: respondents were told it before answering."
            )


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; only for one-choice and several-choice questions."),
    )

    class Meta:
        model = Question
        fields = ["type", "text", "help_text", "required", "section", "choices", "story"]
        widgets = {"section": forms.TextInput(attrs={"list": "survey-sections"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["choices"] = "\n".join(self.instance.choices or [])
        self.fields["section"].help_text = _(
            "Questions of the same section are shown together, under its name."
        )
        self.fields["story"].help_text = _(
            "For a free-text question: respondents may agree that their answer be shared "
            "as a success story."
        )
        # Stored answers were given to this type of question: a new type would misread them.
        if self.instance.pk and self.instance.answers.exists():
            self.fields["type"].disabled = True
            self.fields["type"].help_text = _("Fixed: people have answered this question.")

    def clean_choices(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["choices"].splitlines())
        choices = list(dict.fromkeys(line for line in lines if line))
        if len(choices) > MAX_CHOICES:
            raise forms.ValidationError(_("At most %(count)s choices.") % {"count": MAX_CHOICES})
        if any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
            raise forms.ValidationError(
                _("Each choice fits in %(count)s characters.") % {"count": MAX_CHOICE_LENGTH}
            )
        return choices

    def clean(self):
        data = super().clean()
        type_, choices = data.get("type"), data.get("choices")
        if type_ is None or choices is None:
            return data
        label = Question.Type(type_).label
        if type_ in CHOICE_TYPES and len(choices) < 2:
            self.add_error(
                "choices",
                _("A “%(type)s” question needs at least two choices, one per line.")
                % {"type": label},
            )
        elif type_ not in CHOICE_TYPES and choices:
            self.add_error(
                "choices",
                _(
                    "A “%(type)s” question has no choices: remove them, or make it a one-choice "
                    "or several-choice question."
                )
                % {"type": label},
            )
        if data.get("story") and type_ != Question.Type.TEXT:
            self.add_error("story", _("Only a free-text question can ask for a story."))
        return data


class ScheduleForm(forms.ModelForm):
    """When, to whom and for how long; ``surveys.services.schedule_create`` does the rest."""

    # Declared, not generated: the generated field would query every cohort at import,
    # outside any organisation's scope. The queryset is the survey's program's cohorts.
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        error_messages={"invalid_choice": _("Choose one of this program's cohorts.")},
    )

    class Meta:
        model = Schedule
        fields = ["cohort", "anchor", "offset_days", "audience", "open_days"]

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(
            organization=survey.organization, program_id=survey.program_id
        ).order_by("start_date", "name")
        if len(self.fields["cohort"].queryset) == 1:
            self.initial.setdefault("cohort", self.fields["cohort"].queryset[0].pk)
        self.fields["offset_days"].label = _("Days after (negative: before)")
        self.fields["offset_days"].help_text = _(
            "Before the start or end if negative (-7 is a week before). Not used after each "
            "session, which asks the pair as soon as the session is logged."
        )

    def clean_offset_days(self) -> int:
        offset_days = self.cleaned_data["offset_days"]
        if offset_days is not None and (problem := offset_days_problem(offset_days)):
            raise forms.ValidationError(problem)
        return offset_days
