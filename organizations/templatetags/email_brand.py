"""The shared email layout's branding (templates/email/message.html), worked out from the
organisation alone, so that every email in the layout carries it whoever sends it."""

from django import template

from organizations.emails import accent_colour
from organizations.models import Organization

register = template.Library()


@register.simple_tag
def email_accent(organization) -> str:
    """The organisation's accent colour when it is readable against white, else Upturn's.
    An email without its organisation is a sender's mistake, and fails loudly (in tests)
    rather than going out unbranded under no one's name."""
    if not isinstance(organization, Organization):
        raise template.TemplateSyntaxError("The email layout needs `organization` in its context.")
    return accent_colour(organization)
