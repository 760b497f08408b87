from django import template

from organizations.branding import AccentPalette, accent_palette
from organizations.models import Organization

register = template.Library()


@register.simple_tag
def organization_accent(organization) -> AccentPalette | None:
    """The organisation's accent shades for its pages, or None to keep Upturn's own (also
    when it kept the default colour, whose shades the stylesheet has by hand)."""
    colour = getattr(organization, "accent_color", None)
    if colour is None or colour.lower() == Organization._meta.get_field("accent_color").default:
        return None
    return accent_palette(colour)
