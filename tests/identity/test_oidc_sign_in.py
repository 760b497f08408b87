"""Signing in through an organisation's OpenID Connect provider: a real provider (pyop,
tests/identity/oidc_idp.py) on a loopback port, reached by Upturn over HTTP."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from accounts.models import User
from identity.models import SsoConnection
from organizations.models import AuditAction, AuditEntry, Membership
from organizations.roles import Role
from organizations.tenancy import tenant_context
from tests.accounts.factories import PASSWORD, UserFactory
from tests.identity.helpers import turn_on_oidc, verified_domain
from tests.identity.oidc_idp import CLIENT_ID, CLIENT_SECRET, LocalIdentityProvider

CALLBACK = "http://testserver/accounts/oidc/acme/login/callback/"


@pytest.fixture
def idp(monkeypatch):
    provider = LocalIdentityProvider().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", provider.ca_file)
    provider.redirect_uris.append(CALLBACK)
    provider.add_person("nina@acme.example", "Nina Okafor")
    yield provider
    provider.stop()


@pytest.fixture
def acme_sso(acme, acme_admin, idp):
    verified_domain(acme, acme_admin, "acme.example")
    return turn_on_oidc(
        acme,
        acme_admin,
        discovery_url=idp.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def _to_idp(client, email: str) -> str:
    """The email step: the page that sends the browser on to the identity provider."""
    response = client.post("/accounts/login/", {"login": email})
    assert response.status_code == 200
    assert "identity/sso_redirect.html" in [t.name for t in response.templates]
    return response.context["url"]


def _sign_in_through(client, idp, email: str, *, as_email: str = ""):
    """Sign in with ``email`` at Upturn, then at the identity provider as ``as_email``
    (the same person, unless the test says otherwise)."""
    callback = idp.sign_in(_to_idp(client, email), as_email or email)
    assert callback.startswith(CALLBACK)
    return client.get(callback.removeprefix("http://testserver"))


def _signed_in_as(client) -> User | None:
    user = client.get("/").wsgi_request.user
    return user if user.is_authenticated else None


def _membership(organization, user) -> Membership | None:
    with tenant_context(organization=organization):
        return Membership.objects.filter(organization=organization, user=user).first()


def _audit(organization, action) -> list[AuditEntry]:
    with tenant_context(organization=organization):
        return list(AuditEntry.objects.filter(organization=organization, action=action))


def test_a_new_person_signs_in_through_the_idp_and_joins_acme_as_a_participant(
    client, acme, acme_sso, idp
):
    response = _sign_in_through(client, idp, "nina@acme.example")

    assert response.status_code == 302
    user = _signed_in_as(client)
    assert user is not None and user.email == "nina@acme.example"
    assert user.name == "Nina Okafor"
    assert not user.has_usable_password()
    membership = _membership(acme, user)
    assert membership.roles == {Role.PARTICIPANT}
    assert client.get("/").url == "/o/acme/"
    [joined] = _audit(acme, AuditAction.SSO_MEMBER_JOINED)
    assert joined.actor == user and joined.details == {"role": "participant"}


def test_the_admins_default_role_is_the_one_people_join_with(client, acme, acme_admin, idp):
    verified_domain(acme, acme_admin, "acme.example")
    turn_on_oidc(
        acme, acme_admin, discovery_url=idp.discovery_url, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, role=Role.EXECUTIVE,
    )  # fmt: skip

    _sign_in_through(client, idp, "nina@acme.example")

    assert _membership(acme, _signed_in_as(client)).roles == {Role.EXECUTIVE}


def test_an_existing_member_signs_in_through_the_idp_without_a_second_membership(
    client, acme, acme_sso, idp, acme_admin
):
    admin_email = acme_admin.email
    idp.add_person(admin_email, "The Admin")
    User.objects.filter(pk=acme_admin.pk).update(email="boss@acme.example")
    idp.add_person("boss@acme.example", "The Admin")

    _sign_in_through(client, idp, "boss@acme.example")

    assert _signed_in_as(client) == acme_admin
    assert _membership(acme, acme_admin).roles == {Role.ADMIN}
    assert _audit(acme, AuditAction.SSO_MEMBER_JOINED) == []


@pytest.mark.parametrize("mode", ["wrong_audience", "expired", "bad_signature"])
def test_an_id_token_that_does_not_hold_is_refused_and_creates_nobody(
    client, acme, acme_sso, idp, mode
):
    idp.mode = mode

    response = _sign_in_through(client, idp, "nina@acme.example")

    assert response.status_code == 401
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    assert _signed_in_as(client) is None
    assert not User.objects.filter(email="nina@acme.example").exists()
    assert idp.token_requests == 1


def test_a_replayed_callback_signs_nobody_in(client, acme, acme_sso, idp):
    callback = idp.sign_in(_to_idp(client, "nina@acme.example"), "nina@acme.example")
    client.get(callback.removeprefix("http://testserver"))
    assert _signed_in_as(client) is not None
    client.post("/accounts/logout/")
    assert _signed_in_as(client) is None

    response = client.get(callback.removeprefix("http://testserver"))

    assert _signed_in_as(client) is None
    assert "socialaccount/authentication_error.html" in [t.name for t in response.templates]
    # Refused by Upturn before the code went back to the provider.
    assert idp.token_requests == 1


def test_an_address_of_another_organisations_domain_is_refused(
    client, acme, acme_sso, idp, globex, globex_admin
):
    verified_domain(globex, globex_admin, "globex.example")
    idp.add_person("gus@globex.example", "Gus")

    response = _sign_in_through(client, idp, "nina@acme.example", as_email="gus@globex.example")

    assert response.status_code == 403
    assert b"not an address of a domain Acme has verified" in response.content
    assert _signed_in_as(client) is None
    assert not User.objects.filter(email="gus@globex.example").exists()
    [refused] = _audit(acme, AuditAction.SSO_SIGN_IN_REFUSED)
    assert refused.details == {"domain": "globex.example"}


def test_an_address_of_a_domain_nobody_verified_is_refused(client, acme, acme_sso, idp):
    idp.add_person("someone@elsewhere.example", "Someone")

    response = _sign_in_through(
        client, idp, "nina@acme.example", as_email="someone@elsewhere.example"
    )

    assert response.status_code == 403
    assert not User.objects.filter(email="someone@elsewhere.example").exists()


def test_sso_required_refuses_the_password_and_says_why(client, acme, acme_admin, idp):
    UserFactory(email="jane@acme.example")
    verified_domain(acme, acme_admin, "acme.example")
    turn_on_oidc(
        acme, acme_admin, discovery_url=idp.issuer, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, required=True,
    )  # fmt: skip

    response = client.post("/accounts/login/", {"login": "jane@acme.example", "password": PASSWORD})

    assert response.status_code == 200
    assert "Acme requires single sign-on for jane@acme.example" in response.content.decode()
    assert _signed_in_as(client) is None


def test_without_sso_required_the_password_still_works(client, acme, acme_sso):
    UserFactory(email="jane@acme.example")

    client.post("/accounts/login/", {"login": "jane@acme.example", "password": PASSWORD})

    assert _signed_in_as(client).email == "jane@acme.example"


def test_password_reset_sends_nothing_when_sso_is_required(client, acme, acme_admin, idp):
    UserFactory(email="jane@acme.example")
    UserFactory(email="pat@other.example")
    verified_domain(acme, acme_admin, "acme.example")
    turn_on_oidc(
        acme, acme_admin, discovery_url=idp.issuer, client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, required=True,
    )  # fmt: skip

    client.post("/accounts/password/reset/", {"email": "jane@acme.example"})
    assert mail.outbox == []
    client.post("/accounts/password/reset/", {"email": "pat@other.example"})
    assert [message.to for message in mail.outbox] == [["pat@other.example"]]


def test_the_email_step_asks_others_for_their_password(client, acme, acme_sso):
    response = client.post("/accounts/login/", {"login": "pat@other.example"})

    assert response.context["step"] == "password"
    assert 'name="password"' in response.content.decode()
    assert 'value="pat@other.example"' in response.content.decode()


def test_sign_in_goes_to_the_idp_only_while_sso_is_turned_on(client, acme, acme_sso):
    with tenant_context(organization=acme):
        SsoConnection.objects.filter(organization=acme).update(is_enabled=False)

    response = client.post("/accounts/login/", {"login": "nina@acme.example"})

    assert response.context["step"] == "password"


def _with_totp(user):
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )


def test_the_idps_multi_factor_skips_upturns_own_step(client, acme, acme_sso, idp):
    user = User.objects.create_user("nina@acme.example")
    _with_totp(user)
    idp.amr = ["pwd", "mfa"]

    response = _sign_in_through(client, idp, "nina@acme.example")

    assert response.url != "/accounts/2fa/authenticate/"
    assert _signed_in_as(client) == user


def test_without_the_idps_multi_factor_upturns_own_step_still_applies(client, acme, acme_sso, idp):
    user = User.objects.create_user("nina@acme.example")
    _with_totp(user)

    response = _sign_in_through(client, idp, "nina@acme.example")

    assert response.url == "/accounts/2fa/authenticate/"
    assert _signed_in_as(client) is None


def test_the_email_step_asks_again_for_something_that_is_not_an_address(client):
    response = client.post("/accounts/login/", {"login": "nina"})

    assert response.context["step"] == "email"
    assert "Enter your email address." in response.content.decode()
    assert 'name="password"' not in response.content.decode()


def test_an_identity_provider_that_does_not_answer_is_named_and_nothing_breaks(
    client, acme, acme_sso, idp
):
    idp.stop()

    response = client.post("/accounts/login/", {"login": "nina@acme.example"})

    assert response.status_code == 502
    assert "Acme&#x27;s identity provider does not answer right now." in (response.content.decode())
    assert _signed_in_as(client) is None
