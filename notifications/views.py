"""Each member's notifications (the in-app side of the reminders) and which of them
they also want by email."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from notifications import selectors, services
from notifications.delivery import WEEKLY_EMAIL_CAP
from notifications.forms import NotificationSettingsForm
from organizations.decorators import permission_required
from organizations.http import post_only, posted

PER_PAGE = 20


@permission_required("program.participate")
def notification_list(request, org_slug):
    mine = selectors.notification_list(
        organization=request.organization, membership=request.membership
    )
    page = Paginator(mine.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = selectors.unread_count(
        organization=request.organization, membership=request.membership
    )
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@permission_required("program.participate")
def mark_all_read(request, org_slug):
    if request.method != "POST":
        return post_only()
    services.notifications_mark_read(
        organization=request.organization, membership=request.membership
    )
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list", org_slug=org_slug)


@permission_required("program.participate")
def mark_read(request, org_slug, notification_id):
    """One notification read; then its page, if it has one (a path in this app)."""
    notification = get_object_or_404(
        selectors.notification_list(
            organization=request.organization, membership=request.membership
        ),
        pk=notification_id,
    )
    if request.method != "POST":
        return post_only()
    services.notifications_mark_read(
        organization=request.organization,
        membership=request.membership,
        notification_id=notification.pk,
    )
    if request.POST.get("open") and notification.url.startswith("/o/"):
        return redirect(notification.url)
    return redirect("notifications:list", org_slug=org_slug)


@permission_required("program.participate")
def notification_settings(request, org_slug):
    current = selectors.settings_get(
        organization=request.organization, membership=request.membership
    )
    form = NotificationSettingsForm(
        posted(request),
        initial={"muted_kinds": current.muted_kinds, "weekly_digest": current.weekly_digest},
    )
    if request.method == "POST" and form.is_valid():
        services.settings_save(
            organization=request.organization,
            membership=request.membership,
            muted_kinds=form.cleaned_data["muted_kinds"],
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings", org_slug=org_slug)
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "cap": WEEKLY_EMAIL_CAP},
    )
