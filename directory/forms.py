from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import EmployeeDemographics
from organizations.uploads import HR_FILE


class UploadForm(forms.Form):
    file = forms.FileField(label=_("HR file (CSV)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        HR_FILE.apply_to(self.fields["file"])


class DemographicsForm(forms.ModelForm):
    consent = forms.BooleanField(
        label=_(
            "I agree that Upturn keeps these answers and uses them only in reports that count "
            "groups, where any group of fewer than five people is hidden. I can change or "
            "delete them here at any time."
        ),
        error_messages={"required": _("Tick the box to agree, or leave the questions unanswered.")},
    )

    class Meta:
        model = EmployeeDemographics
        fields = [
            "gender",
            "gender_self_described",
            "ethnicity",
            "disability",
            "lgbtq",
            "first_generation",
        ]
