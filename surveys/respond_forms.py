"""The forms people answer: a survey's questions as fields, and a mentor's concern.

The survey form only shapes the input (``answers()`` hands ``response_submit`` a value per
question, as typed); the service decides what is missing or wrong, all at once, so every
field is optional here and the required ones are only marked.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Concern, Question

AGREEMENT_LABELS = [
    ("1", _("1 · Strongly disagree")),
    ("2", _("2 · Disagree")),
    ("3", _("3 · Neither agree nor disagree")),
    ("4", _("4 · Agree")),
    ("5", _("5 · Strongly agree")),
]
NPS_LABELS = [(str(n), str(n)) for n in range(11)]
SKILL_LEVELS = [
    ("", "—"),
    ("1", _("1 · Beginner")),
    ("2", _("2")),
    ("3", _("3 · Comfortable")),
    ("4", _("4")),
    ("5", _("5 · Expert")),
]


class SurveyForm(forms.Form):
    """One field per question (a skills question: one select per program topic), plus the
    consent to share a story when the survey asks for one."""

    def __init__(self, *args, questions, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.topics = list(topics)
        for question in self.questions:
            if question.type == Question.Type.SKILLS:
                for topic in self.topics:
                    self.fields[self._name(question, topic)] = forms.ChoiceField(
                        label=topic.name, choices=SKILL_LEVELS, required=False
                    )
            else:
                self.fields[self._name(question)] = self._field(question)
        if any(question.story for question in self.questions):
            self.fields["story_consent"] = forms.BooleanField(
                label=_("You may share my story (without my name unless I say so)"),
                required=False,
            )

    @staticmethod
    def _name(question: Question, topic=None) -> str:
        return f"q{question.pk}" if topic is None else f"q{question.pk}_t{topic.pk}"

    @staticmethod
    def _field(question: Question) -> forms.Field:
        common = {"label": question.text, "help_text": question.help_text, "required": False}
        attrs = {"aria-required": "true"} if question.required else {}
        kind = question.type
        if kind == Question.Type.AGREEMENT:
            return forms.ChoiceField(
                choices=AGREEMENT_LABELS, widget=forms.RadioSelect(attrs=attrs), **common
            )
        if kind == Question.Type.NPS:
            if not question.help_text:
                common["help_text"] = _("0: not at all likely · 10: extremely likely")
            return forms.ChoiceField(
                choices=NPS_LABELS,
                widget=forms.RadioSelect(attrs=attrs),
                **common,
            )
        if kind == Question.Type.SINGLE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.RadioSelect(attrs=attrs),
                **common,
            )
        if kind == Question.Type.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple(attrs=attrs),
                **common,
            )
        return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 4}), **common)

    def sections(self) -> list[tuple[str, list[dict]]]:
        """[(section title, [{"question", "field" or "topic_fields"}])], in order; a run of
        questions with the same section is one fieldset."""
        grouped: list[tuple[str, list[dict]]] = []
        for question in self.questions:
            item = {"question": question}
            if question.type == Question.Type.SKILLS:
                item["topic_fields"] = [self[self._name(question, t)] for t in self.topics]
            else:
                item["field"] = self[self._name(question)]
            if grouped and grouped[-1][0] == question.section:
                grouped[-1][1].append(item)
            else:
                grouped.append((question.section, [item]))
        return grouped

    def answers(self) -> dict[int, object]:
        """Each question's value as typed, for ``response_submit`` to check."""
        data, answers = self.data, {}
        for question in self.questions:
            if question.type == Question.Type.SKILLS:
                answers[question.pk] = {
                    str(topic.pk): data.get(self._name(question, topic), "")
                    for topic in self.topics
                }
            elif question.type == Question.Type.MULTIPLE:
                answers[question.pk] = data.getlist(self._name(question))
            else:
                answers[question.pk] = data.get(self._name(question), "")
        return answers

    def story_consent(self) -> bool:
        return "story_consent" in self.fields and self.data.get("story_consent") in (
            "on",
            "true",
            "1",
        )


class ConcernForm(forms.Form):
    text = forms.CharField(
        label=Concern._meta.get_field("text").verbose_name.capitalize(),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
    )
    how = forms.ChoiceField(
        label=_("How should the program manager receive it?"),
        choices=[
            (
                "named",
                _(
                    "By name: the program manager sees your name and your pair, and can talk"
                    " it through with you."
                ),
            ),
            (
                "anonymous",
                _(
                    "Anonymously: the program manager sees only the program and your words,"
                    " not your name and not your pair. They cannot reply to you, so say"
                    " enough for them to act, and leave out details only you would know."
                ),
            ),
        ],
        widget=forms.RadioSelect,
        initial="named",
    )

    @property
    def anonymous(self) -> bool:
        return self.cleaned_data["how"] == "anonymous"


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Concern.Status.choices)
    follow_up = forms.CharField(
        label=_("Follow-up (program managers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
