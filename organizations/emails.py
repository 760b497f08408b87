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
    return absolute_url(path)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send_templated_email(*, template: str, context: dict, to: list[str]) -> None:
    """Send ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html`` as one
    email with a plain-text and an HTML part."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def send_invitation_email(*, invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "accept_url": invitation_accept_url(invitation=invitation, token=token),
    }
    send_templated_email(
        template="organizations/email/invitation", context=context, to=[invitation.email]
    )
