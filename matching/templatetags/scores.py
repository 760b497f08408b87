"""Match scores as pages show them: one rounding (matching.selectors.score_shown) and a
change always signed, with a true minus sign (U+2212), which screen readers say as
"minus" and which lines up with the plus."""

from django import template
from django.utils.formats import number_format

from matching.selectors import score_shown

register = template.Library()

MINUS = "\u2212"


@register.filter
def score(value) -> str:
    if value in (None, ""):
        return ""
    return number_format(score_shown(value), decimal_pos=1)


@register.filter
def signed_score(value) -> str:
    """``+60.0``, ``\u221211.4``, or ``0.0`` for no change."""
    if value in (None, ""):
        return ""
    shown = score_shown(value)
    text = number_format(abs(shown), decimal_pos=1)
    if shown > 0:
        return "+" + text
    if shown < 0:
        return MINUS + text
    return text
