from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from organizations.decorators import permission_required
from organizations.selectors import member_list, membership_list_for_user

MEMBERS_PER_PAGE = 25


@login_required
def home(request):
    """The user's organisations; someone who belongs to exactly one goes straight in."""
    memberships = list(membership_list_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("organizations:overview", org_slug=memberships[0].organization.slug)
    return render(request, "organizations/home.html", {"memberships": memberships})


@permission_required("organization.view")
def overview(request, org_slug):
    return render(request, "organizations/overview.html", {"membership": request.membership})


@permission_required("member.view")
def member_list_view(request, org_slug):
    search = request.GET.get("q", "").strip()
    members = member_list(organization=request.organization, search=search)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    template = (
        "organizations/partials/_member_table.html"
        if request.htmx
        else "organizations/member_list.html"
    )
    return render(request, template, {"page": page, "search": search})
