from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.kinds import label_of, mutable_kinds


class NotificationSettingsForm(forms.Form):
    muted_kinds = forms.MultipleChoiceField(
        label=_("In the app only, no email"),
        # Read when the form is made: the kinds are registered as the apps load.
        choices=lambda: [(value, label_of(value)) for value in mutable_kinds()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekly_digest = forms.BooleanField(
        label=_("Send me one weekly digest instead of separate emails"),
        help_text=_("On Monday morning, your time."),
        required=False,
    )
