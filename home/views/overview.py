from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from home.overview import overview_sections
from organizations.decorators import permission_required
from organizations.selectors import membership_list_for_user


@login_required
def home(request):
    """The user's organisations; someone who belongs to exactly one goes straight in."""
    memberships = list(membership_list_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("home:overview", org_slug=memberships[0].organization.slug)
    return render(request, "home/home.html", {"memberships": memberships})


@permission_required("organization.view")
def overview(request, org_slug):
    """The member's home: one section per thing their permissions let them do."""
    sections = overview_sections(
        organization=request.organization, membership=request.membership, user=request.user
    )
    context = {"membership": request.membership, **sections}
    return render(request, "home/overview.html", context)
