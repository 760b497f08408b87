from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Membership
from programs.models import Cohort, Program, Topic


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
            "ground_rules", "satisfaction_target", "cadence_target",
        ]  # fmt: skip
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "ground_rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.filter(
            organization=organization, is_active=True
        )
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
        fields = ["name", "start_date", "end_date", "size_limit"]
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
