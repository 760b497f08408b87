"""A person's own data page (their exports), the download, and an admin's erasure."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizations.audit import client_ip
from organizations.decorators import permission_required
from organizations.http import posted
from privacy import selectors
from privacy.forms import ErasureConfirmForm
from privacy.services.erasure import person_erase
from privacy.services.export import LINK_VALID, export_request


@permission_required("organization.view")
def my_data(request, org_slug):
    if request.method == "POST":
        export_request(
            organization=request.organization,
            membership=request.membership,
            ip_address=client_ip(request),
        )
        messages.success(
            request,
            _(
                "Your export is being prepared. We will tell you here and by email "
                "when it is ready."
            ),
        )
        return redirect("privacy:my_data", org_slug=org_slug)
    exports = selectors.export_list(
        organization=request.organization, membership=request.membership
    )
    context = {"exports": exports, "valid_hours": int(LINK_VALID.total_seconds() // 3600)}
    return render(request, "privacy/my_data.html", context)


@permission_required("organization.view")
def export_download(request, org_slug, dataexport_id):
    export = selectors.export_get_for_download(
        organization=request.organization, user=request.user, export_id=dataexport_id
    )
    if not export.is_downloadable():
        return render(request, "privacy/export_gone.html", {"export": export}, status=410)
    name = f"upturn-{request.organization.slug}-my-data-{export.ready_at:%Y-%m-%d}.zip"
    response = FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("member.manage")
def erase(request, org_slug, membership_id):
    member = selectors.member_get(organization=request.organization, membership_id=membership_id)
    form = ErasureConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            person_erase(
                organization=request.organization,
                actor=request.user,
                membership=member,
                confirmation=form.cleaned_data["confirmation"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("confirmation", error)
        else:
            messages.success(request, _("The person was erased. This cannot be undone."))
            return redirect("organizations:member_list", org_slug=org_slug)
    return render(request, "privacy/erase.html", {"member": member, "form": form})
