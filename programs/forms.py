from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directory.forms import DemographicsForm
from directory.models import Department, Employee
from directory.selectors import DepartmentChoiceField, employees_in_department
from directory.zones import zone_for
from organizations.forms import TimeZoneField
from organizations.models import Membership
from organizations.uploads import MATERIAL
from organizations.widgets import StoredFileInput
from programs.enrolment import Application
from programs.match_weights import Weights
from programs.models import (  # AVAILABILITY_CHOICES: the form's, and the demo's
    AVAILABILITY_CHOICES,
    Cohort,
    Participant,
    Program,
    ProgramQuestion,
    ProgramTopic,
    Resource,
    Topic,
    TrainingModule,
)
from programs.selectors import cohort_approved_count

WEIGHT_LABELS = {
    "topic_fit": _("Matching weight: topic fit"),
    "cross_department": _("Matching weight: crossing departments"),
    "seniority_gap": _("Matching weight: seniority gap"),
    "availability": _("Matching weight: time in common"),
    "preferences": _("Matching weight: people asked for or avoided"),
    "inclusion": _("Matching weight: bridging generations and sites (with an inclusion objective)"),
}


class ProgramForm(forms.ModelForm):
    objectives = forms.MultipleChoiceField(
        label=_("Objectives"),
        choices=Program.Objective.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("From the organisation's topic catalogue."),
    )
    managers = forms.ModelMultipleChoiceField(
        label=_("Program managers"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Program
        fields = [
            "name", "description", "objectives", "own_objective", "direction", "start_date",
            "end_date", "sessions_per_month", "session_minutes", "planned_sessions",
            "ground_rules", "satisfaction_target", "cadence_target", "matching_mode",
            "mentor_max_level",
            "mentor_max_tenure_years", "mentee_min_level", "mentee_min_tenure_years",
        ]  # fmt: skip
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "ground_rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        weights = Weights.from_dict(self.instance.match_weights).as_dict()
        for name, label in WEIGHT_LABELS.items():
            self.fields[f"weight_{name}"] = forms.FloatField(
                label=label,
                required=False,  # left out: the program keeps what it had
                min_value=0,
                max_value=10,
                initial=weights[name],
                help_text=_("0 to 10; 0 leaves it out."),
            )
        # Topics and managers with the design; eligibility and matching's weights last.
        later = [n for n in self.fields if n.startswith(("mentor_", "mentee_", "weight_"))]
        self.order_fields([n for n in self.fields if n not in later] + later)
        for name in later:
            if not name.startswith("weight_"):
                self.fields[name].help_text = _("Leave empty for no limit.")
        # Retired topics are not offered to new programs, but a program keeps the ones it
        # has: leaving them out of the choices would drop them silently on the next save.
        offered = Q(is_active=True)
        if self.instance.pk:
            offered |= Q(pk__in=ProgramTopic.objects.filter(program=self.instance).values("topic"))
        self.fields["topics"].queryset = Topic.objects.filter(offered, organization=organization)
        self.fields["managers"].queryset = (
            Membership.objects.filter(
                organization=organization, is_active=True, is_program_manager=True
            )
            .select_related("user")
            .order_by("user__name")
        )
        self.fields["managers"].label_from_instance = lambda m: m.user.display_name
        if self.instance.pk:  # the links live in their own tables, not on the instance
            self.fields["topics"].initial = list(
                Topic.objects.filter(programtopic__program=self.instance)
            )
            self.fields["managers"].initial = list(
                Membership.objects.filter(programmanager__program=self.instance)
            )

    def clean(self):
        data = super().clean()
        weights = {name: data.get(f"weight_{name}") for name in WEIGHT_LABELS}
        if all(value is not None for value in weights.values()):
            if not any(weights.values()):
                raise forms.ValidationError(_("At least one of matching's weights must count."))
            self.instance.match_weights = weights
        return data


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "description", "is_active"]

    def clean_name(self) -> str:
        # The organisation is not a form field, so Django would not check the
        # (organisation, name) uniqueness itself: say it here rather than fail on save.
        name = self.cleaned_data["name"].strip()
        taken = Topic.objects.filter(organization=self.instance.organization, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The catalogue already has “%(name)s”.") % {"name": name})
        return name


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "start_date", "end_date", "size_limit", "self_nomination_open"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_name(self) -> str:
        # (program, name) is unique, and the program is not a form field.
        name = self.cleaned_data["name"].strip()
        taken = Cohort.objects.filter(program=self.instance.program, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This program already has a cohort “%(name)s”.") % {"name": name}
            )
        return name

    def clean_size_limit(self) -> int | None:
        limit = self.cleaned_data["size_limit"]
        if limit is None or self.instance.pk is None:
            return limit
        approved = cohort_approved_count(self.instance)
        if limit < approved:
            raise forms.ValidationError(
                ngettext(
                    "%(approved)s person is approved in this cohort already: the limit cannot "
                    "be lower. Withdraw them first, or choose at least %(approved)s.",
                    "%(approved)s people are approved in this cohort already: the limit cannot "
                    "be lower. Withdraw someone first, or choose at least %(approved)s.",
                    approved,
                )
                % {"approved": approved}
            )
        return limit


class InviteOneForm(forms.Form):
    person = forms.CharField(
        label=_("Employee number or email"),
        max_length=254,
        help_text=_("As in the directory."),
    )
    role = forms.ChoiceField(label=_("As"), choices=Participant.Role.choices)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_person(self) -> Employee:
        value = self.cleaned_data["person"].strip()
        employee = (
            Employee.objects.filter(organization=self.organization, employee_number=value).first()
            or Employee.objects.filter(organization=self.organization, email__iexact=value).first()
        )
        if employee is None:
            raise forms.ValidationError(
                _(
                    "Nobody in the directory has the employee number or email “%(value)s”. "
                    "Only people in the directory can take part."
                )
                % {"value": value}
            )
        return employee


class InviteByFilterForm(forms.Form):
    """Everyone in the directory who matches, as mentor or mentee (at least one filter)."""

    role = forms.ChoiceField(label=_("As"), choices=Participant.Role.choices)
    department = DepartmentChoiceField(
        label=_("Department or division"), queryset=Department.objects.none(), required=False
    )
    min_level = forms.IntegerField(label=_("Job level from"), required=False, min_value=0)
    max_level = forms.IntegerField(label=_("Job level to"), required=False, min_value=0)
    location = forms.ChoiceField(label=_("Location"), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            Department.objects.filter(organization=organization)
            .select_related("parent")
            .order_by("name")
        )
        locations = (
            Employee.objects.filter(organization=organization)
            .exclude(location="")
            .values_list("location", flat=True)
            .distinct()
            .order_by("location")
        )
        self.fields["location"].choices = [("", _("Any")), *((x, x) for x in locations)]

    def clean(self):
        data = super().clean()
        if not any(
            data.get(name) not in (None, "")
            for name in ("department", "min_level", "max_level", "location")
        ):
            raise forms.ValidationError(
                _("Choose at least one filter: inviting the whole directory is rarely meant.")
            )
        low, high = data.get("min_level"), data.get("max_level")
        if low is not None and high is not None and low > high:
            self.add_error("max_level", _("The range ends below where it starts."))
        return data

    def employees(self, organization):
        data = self.cleaned_data
        people = Employee.objects.filter(organization=organization, termination_date__isnull=True)
        people = employees_in_department(people, data.get("department"))
        if data.get("min_level") is not None:
            people = people.filter(job_level__gte=data["min_level"])
        if data.get("max_level") is not None:
            people = people.filter(job_level__lte=data["max_level"])
        if data.get("location"):
            people = people.filter(location=data["location"])
        return people.order_by("name")


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the person"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent with the decision. Required when you decline or withdraw."),
    )


LEVELS = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]


class OptionalDemographicsForm(DemographicsForm):
    """The voluntary answers on the application form: all may stay empty; any answer
    needs the consent box ticked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="demographics", **kwargs)
        self.fields["consent"].required = False
        # Answers are only ever kept with consent: answers on file mean the box was ticked.
        self.fields["consent"].initial = self.instance.pk is not None

    def answered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self._meta.fields)

    def withdraws(self) -> bool:
        """Every answer cleared where some were kept: the person withdraws them."""
        return self.instance.pk is not None and not self.answered()

    def clean(self):
        data = super().clean()
        if self.answered() and not data.get("consent"):
            self.add_error("consent", _("Tick the box to agree, or leave these questions empty."))
        return data


class ApplicationForm(forms.Form):
    """The profile matching uses. Topic fields are added per program topic:
    ``teach_<id>`` and ``learn_<id>``, each an optional level from 1 to 5."""

    goals = forms.CharField(
        label=_("Your goals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In your own words: what would make this program worth your time?"),
    )
    expectations = forms.CharField(
        label=_("What you hope to get from it"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    availability = forms.MultipleChoiceField(
        label=_("When you could meet"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "availability"}),
        help_text=_("In your own time zone."),
    )
    time_zone = TimeZoneField(label=_("Your time zone"))
    languages = forms.CharField(
        label=_("Languages you can hold a session in"),
        max_length=200,
        help_text=_("Separated by commas, for example: English, German."),
    )
    capacity = forms.TypedChoiceField(
        label=_("How many mentees you can take"),
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=1,
    )
    asks_for = forms.CharField(
        label=_("Anyone you would like to be paired with?"),
        required=False,
        max_length=1000,
        help_text=_("Their work email addresses, separated by commas. Nobody else sees this."),
    )
    avoids = forms.CharField(
        label=_("Anyone you would rather not be paired with?"),
        required=False,
        max_length=1000,
        help_text=_("Their work email addresses, separated by commas. Nobody else sees this."),
    )
    accepts_ground_rules = forms.BooleanField(
        label=_("I accept the ground rules above."),
        error_messages={"required": _("Accept the program's ground rules to take part.")},
    )

    def __init__(self, *args, participant: Participant, topics, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.fields["time_zone"].set_likely(participant.organization.time_zone)
        self.topics = list(topics)
        self.questions = list(questions)
        if participant.role != Participant.Role.MENTOR:
            del self.fields["capacity"]
        for topic in self.topics:
            if participant.teaches:
                self.fields[f"teach_{topic.pk}"] = forms.TypedChoiceField(
                    label=topic.name, choices=LEVELS, required=False, coerce=int, empty_value=None
                )
            if participant.learns:
                self.fields[f"learn_{topic.pk}"] = forms.TypedChoiceField(
                    label=topic.name, choices=LEVELS, required=False, coerce=int, empty_value=None
                )
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text,
                help_text=question.help_text,
                required=question.required,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_for(cls, participant: Participant) -> dict:
        initial = {
            "goals": participant.goals,
            "expectations": participant.expectations,
            "availability": participant.availability,
            # None chosen yet (neither here nor in the directory): the picker shows the
            # organisation's zone first, and its script selects the browser's.
            "time_zone": zone_for(
                organization=participant.organization, participant=participant
            ).key
            if participant.time_zone or participant.employee.time_zone
            else "",
            "languages": ", ".join(participant.languages),
            "capacity": participant.capacity,
            "accepts_ground_rules": participant.ground_rules_accepted_at is not None,
        }
        for chosen in participant.topics.all():
            initial[f"{chosen.kind}_{chosen.topic_id}"] = chosen.level
        for key, answer in participant.answers.items():
            initial[f"question_{key}"] = answer
        emails = dict(
            Employee.objects.filter(
                organization=participant.organization,
                pk__in=[*participant.asks_for, *participant.avoids],
            ).values_list("pk", "email")
        )
        for name in ("asks_for", "avoids"):
            initial[name] = ", ".join(
                emails[pk] for pk in getattr(participant, name) if pk in emails
            )
        return initial

    def _people(self, name: str) -> list[int]:
        """Directory entries from a list of emails; an unknown one is named."""
        emails = [e.strip().lower() for e in self.cleaned_data[name].split(",") if e.strip()]
        found = {
            email.lower(): pk
            for pk, email in Employee.objects.filter(
                organization=self.participant.organization, email__in=emails
            ).values_list("pk", "email")
        }
        unknown = [e for e in emails if e not in found]
        if unknown:
            raise forms.ValidationError(
                _("Not in the directory: %(emails)s.") % {"emails": ", ".join(unknown)}
            )
        return list(dict.fromkeys(found[e] for e in emails))

    def clean_asks_for(self) -> list[int]:
        return self._people("asks_for")

    def clean_avoids(self) -> list[int]:
        return self._people("avoids")

    def topic_rows(self):
        """(topic, teach field, learn field) for the template's table."""
        return [
            (
                topic,
                self[f"teach_{topic.pk}"] if f"teach_{topic.pk}" in self.fields else None,
                self[f"learn_{topic.pk}"] if f"learn_{topic.pk}" in self.fields else None,
            )
            for topic in self.topics
        ]

    def question_fields(self):
        return [self[f"question_{q.pk}"] for q in self.questions]

    def clean_languages(self) -> list[str]:
        parts = [part.strip() for part in self.cleaned_data["languages"].split(",")]
        return list(dict.fromkeys(part for part in parts if part))

    def application(
        self, demographics: dict | None, *, withdraw_demographics: bool = False
    ) -> Application:
        data = self.cleaned_data

        def chosen(kind):
            return {
                topic: data[f"{kind}_{topic.pk}"]
                for topic in self.topics
                if data.get(f"{kind}_{topic.pk}") is not None
            }

        return Application(
            teach=chosen("teach"),
            learn=chosen("learn"),
            goals=data["goals"],
            expectations=data.get("expectations", ""),
            availability=data["availability"],
            time_zone=data["time_zone"],
            languages=data["languages"],
            capacity=data.get("capacity", 1),
            answers={str(q.pk): data.get(f"question_{q.pk}", "") for q in self.questions},
            accepts_ground_rules=data["accepts_ground_rules"],
            demographics=demographics,
            withdraw_demographics=withdraw_demographics,
            asks_for=data.get("asks_for", []),
            avoids=data.get("avoids", []),
        )


class NominationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("I would like to take part as"),
        choices=Participant.Role.choices,
        widget=forms.RadioSelect,
    )


class _WithFileForm(forms.ModelForm):
    download_route: tuple[str, str]  # the download URL's name and its id keyword

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widget = StoredFileInput()
        if self.instance.pk and self.instance.file:
            route, id_name = self.download_route
            widget.download_url = reverse(
                route,
                kwargs={
                    "org_slug": self.instance.organization.slug,
                    "program_id": self.instance.program_id,
                    id_name: self.instance.pk,
                },
            )
        self.fields["file"].widget = widget
        MATERIAL.apply_to(self.fields["file"])


def _link_field():
    # Django 6 will assume https for a pasted address without a scheme; so do we, now.
    return forms.URLField(label=_("Link"), required=False, assume_scheme="https")


class TrainingModuleForm(_WithFileForm):
    link = _link_field()
    download_route = ("programs:training_file", "module_id")

    class Meta:
        model = TrainingModule
        fields = [
            "title",
            "body",
            "link",
            "file",
            "audience",
            "required_before_matching",
            "position",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class ResourceForm(_WithFileForm):
    link = _link_field()
    download_route = ("programs:resource_file", "resource_id")

    class Meta:
        model = Resource
        fields = ["kind", "purpose", "title", "body", "link", "file", "audience", "position"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [
            ("", _("No session in particular")),
            *Resource.Purpose.choices,
        ]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = ProgramQuestion
        fields = ["text", "help_text", "required", "position"]
