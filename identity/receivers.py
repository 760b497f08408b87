"""What a sign-in through an organisation's identity provider does once it succeeded."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from accounts.stages import MFA_BY_IDENTITY_PROVIDER_SESSION_KEY, identity_provider_did_mfa
from identity.services import membership_join_through_sso
from organizations.audit import client_ip
from organizations.models import Organization


@receiver(user_logged_in, dispatch_uid="identity_signed_in")
def _signed_in(sender, request, user, sociallogin=None, **kwargs):
    # Every sign-in says afresh whether two-factor was done upstream: a later password
    # sign-in on the same session must not inherit an identity provider's.
    request.session[MFA_BY_IDENTITY_PROVIDER_SESSION_KEY] = identity_provider_did_mfa(sociallogin)
    if sociallogin is None:
        return
    organization = Organization.objects.filter(slug=sociallogin.account.provider).first()
    if organization is not None:
        membership_join_through_sso(
            organization=organization, user=user, ip_address=client_ip(request)
        )
