"""Upturn's own two-factor step, skipped when the identity provider already did
multi-factor authentication for this sign-in (it said so in the sign-in's claims)."""

from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage

# Set in a single sign-on's state by whoever reads the identity provider's claims
# (identity.adapter): True if the provider says it did multi-factor authentication.
IDENTITY_PROVIDER_DID_MFA = "upturn_idp_mfa"
# The same, kept on the signed-in session: the organisation's "require two-factor" rule
# is met by the identity provider's (organizations.middleware).
MFA_BY_IDENTITY_PROVIDER_SESSION_KEY = "upturn_mfa_by_identity_provider"


def identity_provider_did_mfa(sociallogin) -> bool:
    return bool(sociallogin is not None and sociallogin.state.get(IDENTITY_PROVIDER_DID_MFA))


class AuthenticateStage(AllauthAuthenticateStage):
    # allauth keeps _should_handle private; tests/identity/test_oidc_sign_in.py fails
    # (the TOTP step shown, or skipped) if it changes.
    def _should_handle(self, request) -> bool:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if identity_provider_did_mfa(sociallogin):
            return False
        return super()._should_handle(request)
