from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from identity.models import SsoConnection
from identity.selectors import sign_in_route_for_email
from identity.services import VERIFICATION_MAILBOXES


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, refusing the password of anyone whose organisation
    requires single sign-on for their address (before the password is even checked)."""

    def clean(self):
        email = (self.cleaned_data.get("login") or "").strip()
        route = sign_in_route_for_email(email) if email else None
        if route is not None and route.required:
            raise ValidationError(
                _(
                    "%(organization)s requires single sign-on for %(email)s: sign in "
                    "through %(organization)s's identity provider, not with a password."
                )
                % {"organization": route.organization.name, "email": email},
                code="sso_required",
            )
        return super().clean()


class ResetPasswordForm(AllauthResetPasswordForm):
    """Password reset sends nothing to an address whose organisation requires single
    sign-on: a password would not let them in. The page says the same as for anyone, so
    it tells nobody which addresses exist."""

    def save(self, request, **kwargs) -> str:
        email = self.cleaned_data["email"]
        route = sign_in_route_for_email(email)
        if route is not None and route.required:
            return email
        return super().save(request, **kwargs)


def _url_field(name: str) -> forms.URLField:
    # An address typed without a scheme means https: identity providers are reached over TLS.
    field = SsoConnection._meta.get_field(name)
    return forms.URLField(
        label=capfirst(field.verbose_name),  # lazy: translated when the page is drawn
        help_text=field.help_text,
        required=False,
        max_length=field.max_length,
        assume_scheme="https",
    )


class SsoConnectionForm(forms.ModelForm):
    oidc_discovery_url = _url_field("oidc_discovery_url")
    saml_metadata_url = _url_field("saml_metadata_url")
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Kept encrypted. Leave blank to keep the one saved."),
    )

    class Meta:
        model = SsoConnection
        fields = [
            "protocol",
            "oidc_discovery_url",
            "oidc_client_id",
            "oidc_client_secret",
            "saml_metadata_url",
            "saml_metadata_xml",
            "default_role",
            "is_enabled",
            "sso_required",
        ]
        widgets = {"saml_metadata_xml": forms.Textarea(attrs={"rows": 4})}


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Email domain"),
        max_length=253,
        help_text=_("The part after @ in your people's addresses, e.g. acme.example."),
    )


class MailboxForm(forms.Form):
    mailbox = forms.ChoiceField(
        label=_("Mailbox"),
        choices=[(name, name) for name in VERIFICATION_MAILBOXES],
        help_text=_("Someone who reads this mailbox at the domain follows the link."),
    )
