"""``{% add_to_calendar session pair %}`` and ``{% add_circle_to_calendar circle participant %}``:
a meeting's "Add to calendar" links (its .ics, Google Calendar, Outlook on the web)."""

from django import template
from django.urls import reverse

from organizations.emails import absolute_url
from sessions.calendar import pair_title, web_links

register = template.Library()

TEMPLATE = "sessions/partials/_add_to_calendar.html"


@register.inclusion_tag(TEMPLATE)
def add_to_calendar(session, pair):
    slug = pair.organization.slug
    ids = {"org_slug": slug, "pair_id": pair.pk, "session_id": session.pk}
    page = absolute_url(reverse("mentoring:session", kwargs=ids))
    details = f"{session.video_link}\n\n{page}" if session.video_link else page
    return {
        "ics_url": reverse("mentoring:session_ics", kwargs=ids),
        **web_links(
            title=pair_title(pair),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            details=details,
            location=session.location or session.video_link,
        ),
    }


@register.inclusion_tag(TEMPLATE)
def add_circle_to_calendar(circle, participant):
    slug = participant.organization.slug
    page = reverse(
        "home:participation", kwargs={"org_slug": slug, "participant_id": participant.pk}
    )
    return {
        "ics_url": reverse(
            "mentoring:circle_ics", kwargs={"org_slug": slug, "circle_id": circle.pk}
        ),
        **web_links(
            title=circle.title,
            starts_at=circle.starts_at,
            ends_at=circle.ends_at,
            details=absolute_url(page),
            location=circle.location,
        ),
    }
