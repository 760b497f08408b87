import mimetypes
from datetime import UTC, datetime, time

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.adapter import record_password_sign_in
from organizations import services
from organizations.api_keys import api_key_create, api_key_revoke
from organizations.audit import client_ip
from organizations.decorators import permission_required
from organizations.forms import (
    ApiKeyForm,
    AuditFilter,
    InvitationForm,
    MembershipRolesForm,
    NewAccountForm,
    OrganizationSettingsForm,
)
from organizations.http import post_only, posted, run_on_form, run_reporting
from organizations.models import ApiKey, Invitation, Membership, Organization
from organizations.permissions import has_permission
from organizations.roles import Role
from organizations.selectors import (
    audit_entry_list,
    invitation_list,
    member_list,
)
from organizations.tenancy import tenant_context

MEMBERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# --- Members ----------------------------------------------------------------------------


@permission_required("member.view")
def member_list_view(request, org_slug):
    search = request.GET.get("q", "").strip()
    page = _page(
        request, member_list(organization=request.organization, search=search), MEMBERS_PER_PAGE
    )
    template = (
        "organizations/partials/_member_table.html"
        if request.htmx
        else "organizations/member_list.html"
    )
    return render(request, template, {"page": page, "search": search})


@permission_required("member.manage")
def member_detail(request, org_slug, membership_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        organization=request.organization,
    )
    form = MembershipRolesForm(posted(request), initial={"roles": list(membership.roles)})
    if request.method == "POST" and form.is_valid():
        done, _membership = run_on_form(
            form,
            lambda: services.membership_update_roles(
                organization=request.organization,
                actor=request.user,
                membership=membership,
                roles=set(form.cleaned_data["roles"]),
                ip_address=client_ip(request),
            ),
        )
        if done:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": membership.user})
            return redirect(
                "organizations:member_detail", org_slug=org_slug, membership_id=membership.pk
            )
    return render(request, "organizations/member_detail.html", {"member": membership, "form": form})


@permission_required("member.manage")
def member_deactivate(request, org_slug, membership_id):
    """GET asks for confirmation; POST deactivates."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        organization=request.organization,
    )
    if request.method == "POST":
        run_reporting(
            request,
            lambda: services.membership_deactivate(
                organization=request.organization,
                actor=request.user,
                membership=membership,
                ip_address=client_ip(request),
            ),
            _("%(name)s can no longer reach this organisation.") % {"name": membership.user},
        )
        return redirect(
            "organizations:member_detail", org_slug=org_slug, membership_id=membership.pk
        )
    return render(request, "organizations/member_deactivate.html", {"member": membership})


@permission_required("member.manage")
def member_reactivate(request, org_slug, membership_id):
    membership = get_object_or_404(Membership, pk=membership_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    services.membership_reactivate(
        organization=request.organization,
        actor=request.user,
        membership=membership,
        ip_address=client_ip(request),
    )
    messages.success(
        request, _("%(name)s can reach this organisation again.") % {"name": membership.user}
    )
    return redirect("organizations:member_detail", org_slug=org_slug, membership_id=membership.pk)


# --- Invitations ------------------------------------------------------------------------


def _invitable_roles(membership) -> tuple[Role, ...]:
    if has_permission(membership, "invitation.invite_any_role"):
        return tuple(Role)
    return (Role.PARTICIPANT,)


def _get_manageable_invitation(request, invitation_id) -> Invitation:
    """An invitation of this organisation that this member may resend or revoke: program
    managers handle the participant-only invitations, admins all of them."""
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=request.organization)
    if not invitation.roles <= set(_invitable_roles(request.membership)):
        raise Http404
    return invitation


@permission_required("invitation.view")
def invitation_list_view(request, org_slug):
    allowed_roles = _invitable_roles(request.membership)
    form = InvitationForm(posted(request), allowed_roles=allowed_roles)
    if request.method == "POST" and form.is_valid():
        done, batch = run_on_form(
            form,
            lambda: services.invitation_create_many(
                organization=request.organization,
                actor=request.user,
                emails=form.cleaned_data["emails"],
                roles=set(form.cleaned_data["roles"]),
                grantable_roles=set(allowed_roles),
                ip_address=client_ip(request),
            ),
            field="emails",
        )
        if done:
            messages.success(request, _invitation_summary(batch))
            return redirect("organizations:invitation_list", org_slug=org_slug)
    page = _page(request, invitation_list(organization=request.organization), MEMBERS_PER_PAGE)
    return render(request, "organizations/invitation_list.html", {"form": form, "page": page})


def _invitation_summary(batch) -> str:
    parts = []
    if batch.sent:
        parts.append(
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", len(batch.sent))
            % {"count": len(batch.sent)}
        )
    if batch.renewed:
        parts.append(
            ngettext(
                "%(count)d open invitation renewed and sent again.",
                "%(count)d open invitations renewed and sent again.",
                len(batch.renewed),
            )
            % {"count": len(batch.renewed)}
        )
    return " ".join(parts)


@permission_required("invitation.view")
def invitation_resend(request, org_slug, invitation_id):
    invitation = _get_manageable_invitation(request, invitation_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.invitation_resend(
            organization=request.organization,
            actor=request.user,
            invitation=invitation,
            ip_address=client_ip(request),
        ),
        _("A new link was sent to %(email)s.") % {"email": invitation.email},
    )
    return redirect("organizations:invitation_list", org_slug=org_slug)


@permission_required("invitation.view")
def invitation_revoke(request, org_slug, invitation_id):
    invitation = _get_manageable_invitation(request, invitation_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.invitation_revoke(
            organization=request.organization,
            actor=request.user,
            invitation=invitation,
            ip_address=client_ip(request),
        ),
        _("The invitation for %(email)s no longer works.") % {"email": invitation.email},
    )
    return redirect("organizations:invitation_list", org_slug=org_slug)


def invitation_accept(request, organization_slug, token):
    """Where the emailed link lands. Outside /o/<slug>/: the person is not a member yet.

    The organisation is entered on the strength of the token alone; a token that does not
    belong to it answers 404, like any other unknown address.
    """
    organization = get_object_or_404(Organization, slug=organization_slug)
    if request.method == "POST" and not ratelimit.consume(
        request, action="invitation_accept", key=services.invitation_token_hash(token)
    ):
        return render(request, "429.html", status=429)
    with tenant_context(organization=organization, user=request.user):
        invitation = services.invitation_get_by_token(organization=organization, token=token)
        if invitation is None:
            raise Http404
        if invitation.status != Invitation.Status.PENDING:
            return render(
                request,
                "organizations/invitation_unavailable.html",
                {"invitation": invitation, "organization": organization},
            )
        return _invitation_accept_step(request, organization, invitation)


def _invitation_accept_step(request, organization, invitation):
    context = {"invitation": invitation, "organization": organization}
    user = request.user
    if user.is_authenticated:
        if user.email != invitation.email:
            return render(request, "organizations/invitation_wrong_account.html", context)
        if request.method == "POST":
            # Refused, e.g. already a member, or a second click that lost the race.
            try:
                services.invitation_accept(
                    organization=organization,
                    invitation=invitation,
                    user=user,
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                return _invitation_refused(request, context, error)
            return _welcome(request, organization)
        return render(request, "organizations/invitation_accept.html", context)
    from accounts.models import User

    if User.objects.filter(email=invitation.email).exists():
        return render(request, "organizations/invitation_sign_in.html", context)
    form = NewAccountForm(posted(request), email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                organization=organization,
                invitation=invitation,
                new_user_name=form.cleaned_data["name"],
                new_user_password=form.cleaned_data["password1"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            return _invitation_refused(request, context, error)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        record_password_sign_in(request, membership.user)
        return _welcome(request, organization)
    return render(request, "organizations/invitation_accept.html", {**context, "form": form})


def _invitation_refused(request, context, error: ValidationError):
    return render(
        request,
        "organizations/invitation_unavailable.html",
        {**context, "reasons": error.messages},
        status=409,
    )


def _welcome(request, organization):
    messages.success(
        request, _("Welcome to %(organization)s.") % {"organization": organization.name}
    )
    return redirect("home:overview", org_slug=organization.slug)


# --- Settings and audit log -------------------------------------------------------------


@permission_required("organization.manage")
def organization_settings(request, org_slug):
    # The form validates a copy, so the service compares against the saved values and a
    # rejected form leaves the page's header showing what is really saved.
    form = OrganizationSettingsForm(
        posted(request),
        request.FILES or None,
        instance=Organization.objects.get(pk=request.organization.pk),
    )
    if request.method == "POST" and form.is_valid():
        services.organization_update_settings(
            organization=request.organization,
            actor=request.user,
            changes={name: form.cleaned_data[name] for name in form.changed_data},
            ip_address=client_ip(request),
        )
        messages.success(request, _("Settings saved."))
        return redirect("organizations:settings", org_slug=org_slug)
    return render(request, "organizations/settings.html", {"form": form})


@permission_required("organization.view")
def organization_logo(request, org_slug):
    """The logo, for the organisation's own members (uploads are not public files)."""
    logo = request.organization.logo
    if not logo:
        raise Http404
    content_type = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
    response = FileResponse(logo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


@permission_required("api_key.manage")
def api_key_list(request, org_slug):
    """GET lists the keys; POST makes one and shows it, this once."""
    form = ApiKeyForm(posted(request))
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        _, new_key = api_key_create(
            organization=request.organization,
            actor=request.user,
            name=form.cleaned_data["name"],
            roles=set(form.cleaned_data["roles"]),
            expires_at=datetime.combine(expires, time.min, tzinfo=UTC) if expires else None,
            ip_address=client_ip(request),
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(organization=request.organization).select_related("created_by")
    context = {"form": form, "keys": keys, "new_key": new_key}
    return render(request, "organizations/api_keys.html", context)


@permission_required("api_key.manage")
def api_key_revoke_view(request, org_slug, api_key_id):
    key = get_object_or_404(ApiKey, pk=api_key_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    api_key_revoke(
        organization=request.organization,
        actor=request.user,
        api_key=key,
        ip_address=client_ip(request),
    )
    messages.success(request, _("The key “%(name)s” no longer works.") % {"name": key.name})
    return redirect("organizations:api_keys", org_slug=org_slug)


@permission_required("audit.view")
def audit_log(request, org_slug):
    filters = AuditFilter(
        request.GET or None, queryset=audit_entry_list(organization=request.organization)
    )
    page = _page(request, filters.qs, AUDIT_PER_PAGE)
    return render(request, "organizations/audit_log.html", {"filters": filters, "page": page})
