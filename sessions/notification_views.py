"""Each member's notifications (the in-app side of the reminders) and which of them
they also want by email."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.decorators import permission_required
from organizations.http import post_only, posted
from sessions import notify
from sessions.models import Notification

PER_PAGE = 20


class NotificationSettingsForm(forms.Form):
    muted_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("In the app only, no email"),
        choices=[
            (kind.value, kind.label)
            for kind in Notification.Kind
            if kind.value in notify.MUTABLE_KINDS
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekly_digest = forms.BooleanField(
        label=gettext_lazy("Send me one weekly digest instead of separate emails"),
        help_text=gettext_lazy("On Monday morning, your time."),
        required=False,
    )


@permission_required("program.participate")
def notification_list(request, org_slug):
    mine = notify.notification_list(
        organization=request.organization, membership=request.membership
    )
    page = Paginator(mine.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    unread = notify.unread_count(organization=request.organization, membership=request.membership)
    return render(request, "sessions/notifications/list.html", {"page": page, "unread": unread})


@permission_required("program.participate")
def mark_all_read(request, org_slug):
    if request.method != "POST":
        return post_only()
    notify.notifications_mark_read(organization=request.organization, membership=request.membership)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list", org_slug=org_slug)


@permission_required("program.participate")
def mark_read(request, org_slug, notification_id):
    """One notification read; then its page, if it has one (a path in this app)."""
    notification = get_object_or_404(
        notify.notification_list(organization=request.organization, membership=request.membership),
        pk=notification_id,
    )
    if request.method != "POST":
        return post_only()
    notify.notifications_mark_read(
        organization=request.organization,
        membership=request.membership,
        notification_id=notification.pk,
    )
    if request.POST.get("open") and notification.url.startswith("/o/"):
        return redirect(notification.url)
    return redirect("notifications:list", org_slug=org_slug)


@permission_required("program.participate")
def notification_settings(request, org_slug):
    current = notify.settings_get(organization=request.organization, membership=request.membership)
    form = NotificationSettingsForm(
        posted(request),
        initial={"muted_kinds": current.muted_kinds, "weekly_digest": current.weekly_digest},
    )
    if request.method == "POST" and form.is_valid():
        notify.settings_save(
            organization=request.organization,
            membership=request.membership,
            muted_kinds=form.cleaned_data["muted_kinds"],
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings", org_slug=org_slug)
    return render(
        request,
        "sessions/notifications/settings.html",
        {"form": form, "cap": notify.WEEKLY_EMAIL_CAP},
    )
