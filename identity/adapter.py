"""allauth's social accounts serve each organisation's identity provider from our own
table: an organisation's provider id is its address (slug), so its OpenID Connect
callback is /accounts/oidc/<slug>/login/callback/, and the SocialApp allauth works with is
built on the fly from identity.SsoConnection, its secret opened only for the sign-in."""

import logging

import jwt
import requests
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.shortcuts import render

from accounts.stages import IDENTITY_PROVIDER_DID_MFA
from identity import secrets
from identity.models import SsoConnection
from identity.selectors import (
    SignInRoute,
    organization_domains_verified,
    sign_in_route_for_organization,
)
from organizations.audit import audit_record, client_ip
from organizations.models import AuditAction, Organization
from organizations.tenancy import tenant_context

logger = logging.getLogger(__name__)

# RFC 8176 methods beyond a password: any of them in `amr` means more than one factor
# ("mfa" and "mca" say so outright; the others are a second factor next to the password).
MFA_AMR = frozenset(
    {"mfa", "mca", "otp", "hwk", "swk", "sc", "sms", "tel", "fpt", "face", "iris", "retina", "vbm"}
)
# Words in an `acr` value or a SAML AuthnContextClassRef that name multi-factor
# (REFEDS https://refeds.org/profile/mfa, Microsoft's multipleauthn, Okta's 2fa, ...).
MFA_CONTEXT_WORDS = ("mfa", "multifactor", "multi-factor", "multipleauthn", "2fa", "twofactor")


def did_multi_factor(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if MFA_AMR & {str(method).lower() for method in amr}:
        return True
    contexts = claims.get("acr") or claims.get("authn_context") or ""
    if isinstance(contexts, str):
        contexts = [contexts]
    return any(word in str(value).lower() for value in contexts for word in MFA_CONTEXT_WORDS)


def social_app_for(route: SignInRoute) -> SocialApp:
    connection = route.connection
    app = SocialApp(
        provider="openid_connect",
        provider_id=route.organization.slug,
        name=route.organization.name,
        client_id=connection.oidc_client_id,
        secret=secrets.unseal(connection.oidc_client_secret_sealed),
        settings={"server_url": connection.oidc_discovery_url, "fetch_userinfo": True},
    )
    return app


def _organization_for_provider(provider_id: str) -> Organization | None:
    return Organization.objects.filter(slug=provider_id).first()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        """Only one organisation's app, asked for by its provider id (slug): the sign-in
        page never lists every organisation's identity provider."""
        if provider in (None, "openid_connect", "saml"):
            return []
        organization = _organization_for_provider(provider)
        route = sign_in_route_for_organization(organization) if organization else None
        if route is None or route.connection.protocol != SsoConnection.Protocol.OIDC:
            return []
        app = social_app_for(route)
        if client_id and app.client_id != client_id:
            return []
        return [app]

    def pre_social_login(self, request, sociallogin) -> None:
        """Only addresses of a domain the organisation verified sign in through its
        identity provider: an identity provider that asserts another organisation's
        address (or any other) is refused, and nothing is created."""
        organization = _organization_for_provider(sociallogin.account.provider)
        email = (sociallogin.user.email or "").strip().lower()
        domain = email.rpartition("@")[2]
        if organization is None or domain not in organization_domains_verified(
            organization=organization
        ):
            if organization is not None:
                with tenant_context(organization=organization):
                    audit_record(
                        organization=organization,
                        actor=None,
                        action=AuditAction.SSO_SIGN_IN_REFUSED,
                        details={"domain": domain or "-"},
                        ip_address=client_ip(request),
                    )
            raise ImmediateHttpResponse(
                render(
                    request,
                    "identity/sso_refused.html",
                    {"organization": organization, "email": email},
                    status=403,
                )
            )
        sociallogin.user.email = email
        claims = sociallogin.account.extra_data.get("id_token") or {}
        sociallogin.state[IDENTITY_PROVIDER_DID_MFA] = did_multi_factor(claims)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        # pre_social_login has refused every address the organisation did not verify.
        return True

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return True

    def is_email_verified(self, provider, email) -> bool:
        """The organisation verified the domain and its identity provider vouches for the
        address: that is what lets an existing account sign in through it."""
        organization = _organization_for_provider(provider.app.provider_id)
        domain = email.strip().lower().rpartition("@")[2]
        return organization is not None and domain in organization_domains_verified(
            organization=organization
        )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.name = (name or "")[:150]
        return user

    def get_requests_session(self):
        """allauth skips the ID token's signature when it comes straight from the token
        endpoint (OpenID Connect allows that over TLS). Upturn checks it anyway: a
        misconfigured or spoofed endpoint must not be able to name the person."""
        session = super().get_requests_session()
        session.hooks["response"].append(_check_id_token_signature)
        return session


def _check_id_token_signature(response, *args, **kwargs):
    if response.request.method != "POST" or "json" not in response.headers.get("Content-Type", ""):
        return response
    try:
        id_token = response.json().get("id_token")
    except ValueError:
        return response
    if not id_token:
        return response
    request = context.request
    match = getattr(request, "resolver_match", None)
    provider_id = match.kwargs.get("provider_id") if match else None
    organization = _organization_for_provider(provider_id) if provider_id else None
    route = sign_in_route_for_organization(organization) if organization else None
    if route is None:
        raise OAuth2Error("No identity provider for this sign-in.")
    _verify_signature(id_token, route.connection)
    return response


def _verify_signature(id_token: str, connection: SsoConnection) -> None:
    url = connection.oidc_discovery_url
    if "/.well-known/" not in url:
        url = url.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with requests.Session() as plain:
            configuration = plain.get(url, timeout=10).json()
            keys = jwt.PyJWKSet.from_dict(plain.get(configuration["jwks_uri"], timeout=10).json())
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = next(k for k in keys.keys if kid is None or k.key_id == kid)
        jwt.decode(
            id_token,
            key=key.key,
            algorithms=[key.algorithm_name or "RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_iss": False},
        )
    except (requests.RequestException, ValueError, KeyError, StopIteration, jwt.PyJWTError) as e:
        logger.warning("ID token refused: %s", e)
        raise OAuth2Error("The identity provider's ID token is not signed by its keys.") from e
