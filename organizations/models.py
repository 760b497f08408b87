import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.roles import ROLE_FIELDS, Role
from organizations.tenancy import ScopedManager, TenantModel
from organizations.uploads import LOGO


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_logo_size(file) -> None:
    """The model's own check of a new logo's size, for any path that skips the form (the
    forms apply organizations.uploads.LOGO whole). A logo already stored passed the limit
    of its day: saving other settings must not fail on it if the limit was lowered since."""
    if not getattr(file, "_committed", False):
        LOGO.check_size(file)


def _logo_path(organization: "Organization", filename: str) -> str:
    # A fresh name per upload, so browsers never show a cached old logo.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"logos/{organization.pk}/{uuid.uuid4().hex}.{extension}"


class Organization(models.Model):
    """A client organisation: the tenant. Everything its people create belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("address"),
        max_length=60,
        unique=True,
        # No underscores: API keys are upturn_<address>_<secret>.
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                _("Use lower-case letters, digits and single hyphens, e.g. acme-europe."),
            )
        ],
        help_text=_("Used in the organisation's web address: /o/<address>/."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    locale = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    accent_color = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#0b6e69",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #0b6e69."))],
        help_text=_("Shown beside the organisation's name in the header."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to=_logo_path,
        blank=True,
        validators=[
            FileExtensionValidator(["png", "jpg", "jpeg", "webp"]),
            validate_logo_size,
        ],
        help_text=_("PNG, JPEG or WebP, at most 1 MB. Shown in the header."),
    )
    require_mfa_for_staff = models.BooleanField(
        _("require two-factor authentication for admins, program managers and executives"),
        default=False,
        help_text=_("They are asked to set it up before they can open anything else."),
    )
    session_idle_minutes = models.PositiveIntegerField(
        _("sign out after this many idle minutes"),
        default=480,
        validators=[MinValueValidator(5), MaxValueValidator(60 * 24 * 30)],
        help_text=_("Between 5 minutes and 30 days."),
    )
    survey_min_group = models.PositiveSmallIntegerField(
        _("smallest group shown in survey results"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_(
            "Figures of any smaller group are hidden. 5 by default; at least 3, so that "
            "nobody's answers can be singled out."
        ),
    )
    message_retention_days = models.PositiveSmallIntegerField(
        _("days a pair's messages are kept after it ends"),
        default=90,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_("Then they are deleted. 0 deletes them the day after the pair ends."),
    )
    personal_data_retention_months = models.PositiveSmallIntegerField(
        _("months a program's personal data is kept after it ends"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "Then its participants' data in that program is anonymised each night: profiles, "
            "reflections, notes and messages, and the link from their answers to them. "
            "Counts and reports stay. Leave blank to keep it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organisation's time zone (UTC if the stored name is not one)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (KeyError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class RoleFlags(models.Model):
    """The organisation roles, one boolean each: kept on memberships and on invitations.

    Booleans rather than a list keep "who are the admins of X" an indexed query on SQLite
    and PostgreSQL alike.
    """

    is_admin = models.BooleanField(_("admin"), default=False)
    is_program_manager = models.BooleanField(_("program manager"), default=False)
    is_executive = models.BooleanField(_("executive"), default=False)
    is_participant = models.BooleanField(_("participant"), default=False)

    class Meta:
        abstract = True

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, field in ROLE_FIELDS.items() if getattr(self, field))

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [str(role.label) for role in Role if role in self.roles]


class Membership(RoleFlags, TenantModel):
    """A person's place in an organisation: which roles they hold, and whether they may
    still reach it. Deactivating keeps the row (and the history that points at it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Outside any organisation, a person may list their own memberships of every
    # organisation (to choose one); inside one, only that organisation's rows show.
    rls_extra_read_policies = {
        "membership_own_rows": (
            "upturn_current_organization() IS NULL AND user_id = upturn_current_user()"
        )
    }

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="organizations_membership_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class Invitation(RoleFlags, TenantModel):
    """An emailed, single-use, expiring invitation to join an organisation with roles.

    Only a hash of the link's token is stored: the database alone cannot be used to
    accept an invitation.
    """

    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address; inviting again renews it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="organizations_invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def status(self) -> "Invitation.Status":
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        """Open and not yet expired: the link still works."""
        return self.status == self.Status.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_expired(self) -> bool:
        """Never accepted nor revoked, and past its date."""
        return self.status == self.Status.EXPIRED

    @property
    def is_open(self) -> bool:
        """Not accepted or revoked: it can still be resent or revoked."""
        return self.accepted_at is None and self.revoked_at is None


class AuditAction(models.TextChoices):
    SIGNED_IN = "auth.signed_in", _("Signed in")
    SIGNED_OUT = "auth.signed_out", _("Signed out")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("Sign-in failed")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    PASSWORD_RESET = "auth.password_reset", _("Password reset")
    MFA_ENABLED = "auth.mfa_enabled", _("Two-factor turned on")
    MFA_DISABLED = "auth.mfa_disabled", _("Two-factor turned off")
    SESSION_EXPIRED = "auth.session_expired", _("Signed out after inactivity")
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_RESENT = "invitation.resent", _("Invitation resent")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    MEMBER_ROLES_CHANGED = "member.roles_changed", _("Member roles changed")
    MEMBER_DEACTIVATED = "member.deactivated", _("Member deactivated")
    MEMBER_REACTIVATED = "member.reactivated", _("Member reactivated")
    SETTINGS_CHANGED = "organization.settings_changed", _("Settings changed")
    DIRECTORY_IMPORTED = "directory.imported", _("Directory imported")
    DIRECTORY_IMPORT_DISCARDED = "directory.import_discarded", _("Directory import discarded")
    DIRECTORY_IMPORT_FAILED = "directory.import_failed", _("Directory import failed")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    SSO_CHANGED = "sso.changed", _("Single sign-on changed")
    SSO_DOMAIN_CLAIMED = "sso.domain_claimed", _("Email domain claimed")
    SSO_DOMAIN_EMAIL_SENT = "sso.domain_email_sent", _("Domain verification email sent")
    SSO_DOMAIN_VERIFIED = "sso.domain_verified", _("Email domain verified")
    SSO_DOMAIN_REMOVED = "sso.domain_removed", _("Email domain removed")
    SSO_MEMBER_JOINED = "sso.member_joined", _("Joined through single sign-on")
    SSO_SIGN_IN_REFUSED = "sso.sign_in_refused", _("Single sign-on refused")
    SCIM_TOKEN_CREATED = "scim_token.created", _("SCIM token created")
    SCIM_TOKEN_REVOKED = "scim_token.revoked", _("SCIM token revoked")
    DEPARTMENT_CREATED = "department.created", _("Department created")
    DEPARTMENT_RENAMED = "department.renamed", _("Department renamed")
    DEPARTMENT_DELETED = "department.deleted", _("Department deleted")
    DATA_EXPORT_REQUESTED = "privacy.export_requested", _("Personal data export requested")
    PERSON_ERASED = "privacy.person_erased", _("Person erased")
    PARTICIPATION_ANONYMISED = "privacy.participation_anonymised", _("Participation anonymised")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log cannot be changed.")

    def delete(self):
        raise PermissionError("The audit log cannot be deleted.")


class AuditEntry(TenantModel):
    """Who did what to which object, when, in which organisation, from which address.

    Append-only: the application never updates or deletes an entry, and on PostgreSQL
    the application role has no UPDATE or DELETE right on this table at all.
    """

    # No database constraint and no action on delete: the table is append-only, so a
    # deleted account cannot be nulled out here. actor_email keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(
        _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet),
        organization="organization",
    )
    append_only = True

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_email or 'system'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log cannot be deleted.")


class ApiKey(RoleFlags, TenantModel):
    """A credential for the REST API, acting in one organisation with the roles it holds.

    The key is shown once, when made; only its hash is stored. The organisation's slug is
    part of the key itself, so a request names the organisation it wants to enter.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(
        max_length=80, help_text=_("The key's first characters, to tell keys apart.")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Usable now: not revoked and not expired (what the permission table checks)."""
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class PublishedFigure(TenantModel):
    """The figures last published for one measure of one group: what every output shows
    until the group behind it has changed enough to publish anew (the rule and its
    reasons: organizations.disclosure). One row per (organisation, scope, key), written
    by upsert, so two outputs can never hold two versions of one figure.

    ``scope`` names where the figure belongs ("organization", "program:<id>",
    "cohort:<id>" for the reports' snapshots; "survey:<id>" for a survey's results);
    ``key`` the measure and group inside it. ``size`` and ``counts`` are the group's size
    and the counts behind the value when it was published (the latest publication; the
    earlier ones in ``history``): they decide the next publication and are never shown."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    counts = models.JSONField(default=list)
    figures = models.JSONField(default=dict)
    published_on = models.DateField()
    # The earlier publications, oldest first ({"size", "counts", "figures", "on"}): a new
    # value must differ enough from every one of them, not only from the latest.
    history = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope", "key"], name="organizations_published_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} as of {self.published_on}"
