import functools
import math
import zoneinfo

import django_filters
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.api_keys import api_key_expiry_problem
from organizations.branding import (
    AA_NORMAL_TEXT,
    HEX_COLOUR,
    WHITE,
    accent_palette,
    contrast_ratio,
    darkened_accent,
)
from organizations.models import AuditAction, AuditEntry, Organization
from organizations.roles import Role
from organizations.services import ORGANIZATION_SETTINGS_FIELDS, parse_invitation_emails
from organizations.uploads import LOGO
from organizations.widgets import StoredFileInput


class RolesField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, roles=tuple(Role), **kwargs):
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(choices=[(r.value, r.label) for r in roles], coerce=Role, **kwargs)


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("One address, or many: one per line, or separated by commas."),
    )

    def __init__(self, *args, allowed_roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = RolesField(
            roles=allowed_roles,
            initial=[Role.PARTICIPANT],
            help_text=_("Everyone in this list is invited with these roles."),
        )

    def clean_emails(self) -> list[str]:
        return parse_invitation_emails(self.cleaned_data["emails"])


class MembershipRolesForm(forms.Form):
    roles = RolesField()


class NewAccountForm(forms.Form):
    """For someone accepting an invitation who has no Upturn account yet."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            from accounts.models import User

            try:
                password_validation.validate_password(
                    first, User(email=self.email, name=cleaned.get("name", ""))
                )
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


@functools.cache
def _zones_by_region() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The zones grouped by the region their name starts with ("Europe/Berlin" in Europe);
    names with no region ("UTC", "GB") last, as they are."""
    regions: dict[str, list[tuple[str, str]]] = {}
    for name, label in time_zone_choices():
        region = name.split("/", 1)[0] if "/" in name else ""
        regions.setdefault(region, []).append((name, label))
    return tuple(
        (region, tuple(options))
        for region, options in sorted(regions.items(), key=lambda item: (not item[0], item[0]))
    )


class TimeZoneSelect(forms.Select):
    """About 600 zones: a first group, "Likely", with the value being shown and the zones
    the form names as likely (the organisation's), then the rest by region. Each zone is
    listed once. static/js/time_zones.js adds the browser's zone to "Likely" (selecting it
    when nothing is chosen yet) and a box that filters the list."""

    def __init__(self, attrs=None, likely=()):
        super().__init__(
            {
                "data-time-zone-picker": "",
                "data-search-label": _("Search time zones"),
                "data-matches-label": _("Zones that match: %s"),
                **(attrs or {}),
            }
        )
        self.likely = list(likely)

    def optgroups(self, name, value, attrs=None):
        known = zoneinfo.available_timezones()
        likely = list(dict.fromkeys(z for z in [*value, *self.likely] if z in known))
        self.choices = [
            (_("Likely"), [(zone, zone.replace("_", " ")) for zone in likely]),
            *(
                (region or _("Other"), [option for option in options if option[0] not in likely])
                for region, options in _zones_by_region()
            ),
        ]
        return super().optgroups(name, value, attrs)


class TimeZoneField(forms.ChoiceField):
    widget = TimeZoneSelect

    def __init__(self, **kwargs):
        super().__init__(choices=time_zone_choices, **kwargs)

    def set_likely(self, *zones: str) -> None:
        """The zones offered first besides the current value (the organisation's)."""
        self.widget.likely = [zone for zone in zones if zone]


class OrganizationSettingsForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = Organization
        fields = ORGANIZATION_SETTINGS_FIELDS
        widgets = {"accent_color": forms.TextInput(attrs={"type": "color"})}
        # A plain file field: LOGO opens the image itself, and its refusal names the file
        # (forms.ImageField would refuse first, with a message that names nothing).
        field_classes = {"logo": forms.FileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "accent_color" in self.fields:
            self.fields["accent_color"].help_text = _(
                "Buttons carry white text on it and links are written in a darker shade of "
                "it, so it must be dark enough: a contrast of at least 4.5:1 with white "
                "(WCAG AA)."
            )
        if "logo" in self.fields:
            widget = StoredFileInput()
            if self.instance.logo:
                widget.download_url = reverse(
                    "organizations:logo", kwargs={"org_slug": self.instance.slug}
                )
            self.fields["logo"].widget = widget
            LOGO.apply_to(self.fields["logo"])

    def clean_accent_color(self):
        """Refuse a colour the pages could not use (organizations.branding): saved, it
        would be "Settings saved" and then quietly replaced by Upturn's own."""
        colour = self.cleaned_data["accent_color"]
        if not HEX_COLOUR.fullmatch(colour or ""):
            return colour  # the model's validator names the expected form
        if accent_palette(colour) is None:
            raise forms.ValidationError(
                _(
                    "%(colour)s is too light: white text on it has a contrast of only "
                    "%(ratio)s:1, and buttons and links need at least %(needed)s:1 (WCAG AA). "
                    "Choose a darker colour, such as %(darker)s (the same hue, darkened)."
                ),
                code="accent_too_light",
                params={
                    "colour": colour.lower(),
                    "ratio": f"{_floor(contrast_ratio(colour, WHITE), 2):.2f}",
                    "needed": AA_NORMAL_TEXT,
                    "darker": darkened_accent(colour),
                },
            )
        return colour


def _floor(value: float, digits: int) -> float:
    """Rounded down, so that a contrast just short of 4.5 never reads as 4.50."""
    scale = 10**digits
    return math.floor(value * scale) / scale


class OrganizationAdminForm(forms.ModelForm):
    """The admin site's organisation form: the logo under the same limit as in the app."""

    class Meta:
        field_classes = {"logo": forms.FileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "logo" in self.fields:
            LOGO.apply_to(self.fields["logo"])


class AuditFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    actor = django_filters.CharFilter(
        label=_("Who (email contains)"), field_name="actor_email", lookup_expr="icontains"
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "since", "until"]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “HR system nightly sync”."),
    )
    roles = RolesField(
        roles=(Role.ADMIN, Role.PROGRAM_MANAGER, Role.EXECUTIVE),
        help_text=_("The key may do what these roles may do, and nothing else."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a key that works until it is revoked."),
    )

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value is not None and value <= timezone.localdate():
            raise ValidationError(_("Choose a date after today."))
        if value is not None and (problem := api_key_expiry_problem(value)):
            raise ValidationError(problem)
        return value
