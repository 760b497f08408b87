"""An organisation's accent colour on its pages, where it stays readable.

Buttons carry white text on the accent and links are written in its darker shade, so the
accent replaces Upturn's own only when white text on it meets WCAG 2.1 AA for normal text
(4.5:1), and the darker shade stays readable on the light tint used for highlighted
items. A lighter colour is still shown beside the organisation's name in the header.
"""

import re
from dataclasses import dataclass

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
BLACK = "#000000"
# The shades Upturn's own accent uses in static/css/upturn.css (#0b6e69 gives #084f4b
# and about #e7f1f0).
STRONG_BLACK_SHARE = 0.28
SOFT_WHITE_SHARE = 0.9


@dataclass(frozen=True)
class AccentPalette:
    accent: str
    strong: str  # links, hovered buttons, text on the soft tint
    soft: str  # backgrounds of highlighted items


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb)


def _mix(colour: str, other: str, share_of_other: float) -> str:
    return _hex(
        a + (b - a) * share_of_other for a, b in zip(_rgb(colour), _rgb(other), strict=True)
    )


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #rrggbb colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours, from 1 (same) to 21 (black on
    white), whichever is lighter. The one place Upturn measures contrast: pages (below)
    and emails (organizations.emails.accent_colour) both ask it."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def accent_palette(colour: str | None) -> AccentPalette | None:
    """The shades to use for ``colour`` (#rrggbb), or None to keep Upturn's own because
    text would not be readable on it or in it."""
    if not isinstance(colour, str) or not HEX_COLOUR.fullmatch(colour):
        return None
    colour = colour.lower()
    palette = AccentPalette(
        accent=colour,
        strong=_mix(colour, BLACK, STRONG_BLACK_SHARE),
        soft=_mix(colour, WHITE, SOFT_WHITE_SHARE),
    )
    readable = (
        contrast_ratio(palette.accent, WHITE) >= AA_NORMAL_TEXT
        and contrast_ratio(palette.strong, palette.soft) >= AA_NORMAL_TEXT
    )
    return palette if readable else None


def darkened_accent(colour: str) -> str:
    """The lightest shade of ``colour`` (mixed with black, in steps of 1%) that
    ``accent_palette`` takes: the suggestion offered with a refusal."""
    for percent in range(101):
        shade = _mix(colour.lower(), BLACK, percent / 100)
        if accent_palette(shade) is not None:
            return shade
    return BLACK
