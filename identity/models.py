"""Each organisation's single sign-on: its identity provider and the email domains it
covers. Both are tenant-owned; sign-in, which happens before any organisation is entered,
finds a domain's organisation through the one read policy below."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.roles import Role
from organizations.tenancy import TenantModel


class SsoConnection(TenantModel):
    """The organisation's identity provider: OpenID Connect or SAML 2.0. One per
    organisation. The OIDC client secret is kept sealed (identity.secrets), never in clear."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    protocol = models.CharField(
        _("protocol"), max_length=8, choices=Protocol.choices, default=Protocol.OIDC
    )
    is_enabled = models.BooleanField(
        _("turned on"),
        default=False,
        help_text=_("People of the verified domains below are sent to the identity provider."),
    )
    oidc_discovery_url = models.URLField(
        _("issuer discovery URL"),
        blank=True,
        help_text=_(
            "The issuer, or its /.well-known/openid-configuration address, e.g. "
            "https://login.example.com/."
        ),
    )
    oidc_client_id = models.CharField(_("client ID"), max_length=255, blank=True)
    oidc_client_secret_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    saml_metadata_url = models.URLField(_("IdP metadata URL"), blank=True)
    saml_metadata_xml = models.TextField(_("IdP metadata XML"), blank=True)
    sso_required = models.BooleanField(
        _("require single sign-on"),
        default=False,
        help_text=_(
            "People of the verified domains cannot sign in with a password, and password "
            "reset sends them nothing."
        ),
    )
    default_role = models.CharField(
        _("role of people who join through single sign-on"),
        max_length=20,
        choices=Role.choices,
        default=Role.PARTICIPANT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("single sign-on connection")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="identity_one_connection"),
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} for organisation {self.organization_id}"

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_sealed)


class EmailDomain(TenantModel):
    """An email domain an organisation claims. It counts (sign-in goes to the
    organisation's identity provider, people join it) only once verified: a DNS TXT
    record or a link sent to a mailbox at the domain. A verified domain belongs to one
    organisation only (the partial unique constraint, enforced whatever the scope)."""

    class Method(models.TextChoices):
        DNS = "dns", _("DNS TXT record")
        EMAIL = "email", _("Email to the domain")

    domain = models.CharField(_("domain"), max_length=253)
    # Public by design: it is what the admin publishes in DNS.
    verification_token = models.CharField(max_length=64)
    # The emailed link's token is a credential: only its hash is kept.
    email_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email_sent_to = models.EmailField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.CharField(max_length=8, choices=Method.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Sign-in happens before any organisation is entered: which organisation a verified
    # domain belongs to is readable there (the sign-in page tells it anyway), nothing more.
    rls_extra_read_policies = {
        "email_domain_verified_lookup": (
            "upturn_current_organization() IS NULL AND verified_at IS NOT NULL"
        )
    }

    class Meta:
        ordering = ["domain"]
        verbose_name = _("email domain")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "domain"], name="identity_domain_once_per_org"
            ),
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(verified_at__isnull=False),
                name="identity_verified_domain_one_org",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def txt_record(self) -> str:
        return f"upturn-verification={self.verification_token}"
