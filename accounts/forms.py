from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("My organisation's language")), *settings.LANGUAGES],
        help_text=_(
            "Pages, emails, notifications and calendar invitations reach you in this "
            "language. Dates, times and numbers follow its conventions."
        ),
    )
