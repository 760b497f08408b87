from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from organizations.models import Invitation


def invitation_accept_url(*, invitation: Invitation, token: str) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={"organization_slug": invitation.organization.slug, "token": token},
    )
    return settings.SITE_URL.rstrip("/") + path


def send_invitation_email(*, invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "accept_url": invitation_accept_url(invitation=invitation, token=token),
    }
    subject = render_to_string("organizations/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("organizations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("organizations/email/invitation.html", context), "text/html"
    )
    message.send()
