import requests
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from identity import selectors, services
from identity.forms import DomainForm, MailboxForm, SsoConnectionForm
from identity.models import EmailDomain, SsoConnection
from organizations.audit import client_ip
from organizations.decorators import permission_required
from organizations.http import post_only, posted, run_on_form, run_reporting
from organizations.models import Organization
from organizations.tenancy import tenant_context

# --- Sign-in: the email first -----------------------------------------------------------


class EmailFirstLoginView(LoginView):
    """/accounts/login/: the email address first. An address of a domain whose
    organisation uses single sign-on goes to its identity provider; any other is asked
    for its password next. A post with the password (the second step, or a client that
    sends both at once) is allauth's own sign-in."""

    def post(self, request, *args, **kwargs):
        if "password" in request.POST:
            return super().post(request, *args, **kwargs)
        email = request.POST.get("login", "").strip()
        route = selectors.sign_in_route_for_email(email) if "@" in email else None
        form = self.get_form_class()(initial={"login": email}, request=request)
        if route is not None:
            try:
                return _to_identity_provider(request, route, email)
            except (requests.RequestException, OAuth2Error, ValueError):
                message = _(
                    "%(organization)s's identity provider does not answer right now. "
                    "Try again in a few minutes."
                ) % {"organization": route.organization.name}
                context = {"form": form, "step": "email", "email_error": message}
                return self.render_to_response(self.get_context_data(**context), status=502)
        if "@" not in email:
            context = {"form": form, "step": "email", "email_error": _("Enter your email address.")}
            return self.render_to_response(self.get_context_data(**context))
        return self.render_to_response(self.get_context_data(form=form, step="password"))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("step", "password" if self.request.method == "POST" else "email")
        return super().get_context_data(**kwargs)


def _to_identity_provider(request, route, email):
    """A page that sends the browser on to the identity provider (a refresh, not a
    redirect: the content security policy lets a form post lead only to this origin)."""
    provider = get_social_adapter(request).get_provider(request, route.organization.slug)
    response = provider.redirect(
        request,
        process="login",
        next_url=get_next_redirect_url(request),
        auth_params={"login_hint": email},
    )
    return render(
        request,
        "identity/sso_redirect.html",
        {"organization": route.organization, "url": response["Location"]},
    )


# --- The admin's page ---------------------------------------------------------------------


@permission_required("organization.manage")
def sso_settings(request, org_slug):
    organization = request.organization
    connection = selectors.connection_get(organization=organization)
    form = SsoConnectionForm(posted(request), instance=connection or SsoConnection())
    if request.method == "POST" and form.is_valid():
        values = {
            name: form.cleaned_data[name]
            for name in form.Meta.fields
            if name != "oidc_client_secret"
        }
        done, _saved = run_on_form(
            form,
            lambda: services.connection_save(
                organization=organization,
                actor=request.user,
                values=values,
                client_secret=form.cleaned_data["oidc_client_secret"],
                ip_address=client_ip(request),
            ),
        )
        if done:
            messages.success(request, _("Single sign-on saved."))
            return redirect("identity:sso", org_slug=org_slug)
    return render(request, "identity/sso.html", _page_context(request, form=form))


def _page_context(request, **kwargs):
    organization = request.organization
    callback = reverse("openid_connect_callback", kwargs={"provider_id": organization.slug})
    return {
        "connection": selectors.connection_get(organization=organization),
        "domains": selectors.domain_list(organization=organization),
        "domain_form": DomainForm(),
        "mailbox_form": MailboxForm(),
        "oidc_redirect_uri": request.build_absolute_uri(callback),
        **kwargs,
    }


@permission_required("organization.manage")
def domain_add(request, org_slug):
    if request.method != "POST":
        return post_only()
    form = DomainForm(request.POST)
    if form.is_valid():
        done, email_domain = run_on_form(
            form,
            lambda: services.domain_claim(
                organization=request.organization,
                actor=request.user,
                domain=form.cleaned_data["domain"],
                ip_address=client_ip(request),
            ),
            field="domain",
        )
        if done:
            messages.success(
                request, _("%(domain)s added: now prove it is yours.") % {"domain": email_domain}
            )
            return redirect("identity:sso", org_slug=org_slug)
    form_page = SsoConnectionForm(
        instance=selectors.connection_get(organization=request.organization)
    )
    return render(
        request, "identity/sso.html", _page_context(request, form=form_page, domain_form=form)
    )


def _domain(request, email_domain_id) -> EmailDomain:
    return get_object_or_404(EmailDomain, pk=email_domain_id, organization=request.organization)


@permission_required("organization.manage")
def domain_verify(request, org_slug, email_domain_id):
    email_domain = _domain(request, email_domain_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.domain_verify_dns(
            organization=request.organization,
            actor=request.user,
            email_domain=email_domain,
            ip_address=client_ip(request),
        ),
        _("%(domain)s is verified: it belongs to this organisation.") % {"domain": email_domain},
    )
    return redirect("identity:sso", org_slug=org_slug)


@permission_required("organization.manage")
def domain_email(request, org_slug, email_domain_id):
    email_domain = _domain(request, email_domain_id)
    if request.method != "POST":
        return post_only()
    form = MailboxForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed mailboxes."))
        return redirect("identity:sso", org_slug=org_slug)
    mailbox = form.cleaned_data["mailbox"]
    run_reporting(
        request,
        lambda: services.domain_verification_email_request(
            organization=request.organization,
            actor=request.user,
            email_domain=email_domain,
            mailbox=mailbox,
            ip_address=client_ip(request),
        ),
        _("A link was sent to %(address)s.") % {"address": f"{mailbox}@{email_domain.domain}"},
    )
    return redirect("identity:sso", org_slug=org_slug)


@permission_required("organization.manage")
def domain_remove(request, org_slug, email_domain_id):
    email_domain = _domain(request, email_domain_id)
    if request.method != "POST":
        return post_only()
    services.domain_remove(
        organization=request.organization,
        actor=request.user,
        email_domain=email_domain,
        ip_address=client_ip(request),
    )
    messages.success(request, _("%(domain)s removed.") % {"domain": email_domain.domain})
    return redirect("identity:sso", org_slug=org_slug)


def domain_confirm(request, organization_slug, domain_token):
    """Where the emailed link lands (outside /o/<slug>/: whoever reads the mailbox need not
    be a member). GET asks, POST verifies: mail scanners that follow links verify nothing."""
    organization = get_object_or_404(Organization, slug=organization_slug)
    with tenant_context(organization=organization):
        email_domain = services.domain_get_by_token(organization=organization, token=domain_token)
        if email_domain is None:
            raise Http404
        context = {"organization": organization, "email_domain": email_domain}
        if request.method == "POST":
            try:
                services.domain_verify_by_email(
                    organization=organization,
                    email_domain=email_domain,
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                return render(
                    request,
                    "identity/domain_confirm.html",
                    {**context, "errors": error.messages},
                    status=409,
                )
            return render(request, "identity/domain_confirm.html", {**context, "done": True})
        return render(request, "identity/domain_confirm.html", context)
