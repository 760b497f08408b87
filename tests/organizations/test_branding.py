"""The organisation's accent colour on its pages, only where text stays readable."""

import pytest

from organizations.branding import (
    AccentPalette,
    accent_palette,
    contrast_ratio,
    relative_luminance,
)
from organizations.emails import DEFAULT_ACCENT, accent_colour
from organizations.models import Organization
from tests.organizations.factories import MembershipFactory

STYLE = "--accent: "


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),
        ("#0b6e69", "#ffffff", 6.09),  # Upturn's own accent
    ],
)
def test_contrast_ratio_is_wcags(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize(
    ("colour", "luminance"),
    [("#000000", 0.0), ("#ffffff", 1.0), ("#808080", 0.2159), ("#ff0000", 0.2126)],
)
def test_relative_luminance_is_wcags(colour, luminance):
    assert relative_luminance(colour) == pytest.approx(luminance, abs=0.0001)


@pytest.mark.parametrize(
    ("colour", "shown"),
    [("#767676", "#767676"), ("#777777", DEFAULT_ACCENT), ("#6B21A8", "#6b21a8")],
)
def test_emails_and_pages_draw_the_line_at_the_same_contrast(colour, shown):
    assert accent_colour(Organization(accent_color=colour)) == shown


@pytest.mark.parametrize(
    ("colour", "used"),
    [
        ("#6b21a8", True),  # a deep purple
        ("#1a73e8", True),  # 4.51:1, just enough
        ("#767676", True),
        ("#777777", False),  # 4.48:1, just too light for white text
        ("#ffcc00", False),  # a bright yellow
        ("#ffffff", False),
        ("#6B21A8", True),
        ("6b21a8", False),
        ("#6b21a", False),
        ("#6b21a8; color: red", False),
        ("", False),
        (None, False),
    ],
)
def test_an_accent_is_used_only_when_white_text_on_it_meets_aa(colour, used):
    assert (accent_palette(colour) is not None) is used


def test_the_palette_darkens_for_links_and_lightens_for_highlights():
    palette = accent_palette("#6B21A8")

    assert palette == AccentPalette(accent="#6b21a8", strong="#4d1879", soft="#f0e9f6")
    assert contrast_ratio(palette.strong, palette.soft) >= 4.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("colour", "style"),
    [
        ("#6b21a8", "--accent: #6b21a8; --accent-strong: #4d1879; --accent-soft: #f0e9f6;"),
        ("#ffcc00", None),  # too light: Upturn's own accent stays
        ("#0b6e69", None),  # the default: the stylesheet already has it
    ],
)
def test_an_organisations_pages_take_its_accent(client, acme, acme_admin, colour, style):
    Organization.objects.filter(pk=acme.pk).update(accent_color=colour)
    client.force_login(acme_admin)

    page = client.get("/o/acme/").content.decode()

    if style:
        assert style in page
    else:
        assert STYLE not in page
    assert f"--org-colour: {colour};" in page  # still beside the name (the header's border)


@pytest.mark.django_db
def test_pages_outside_an_organisation_keep_upturns_accent(client, acme, globex, acme_admin):
    Organization.objects.filter(pk=acme.pk).update(accent_color="#6b21a8")
    MembershipFactory(organization=globex, user=acme_admin)  # two organisations: no redirect
    client.force_login(acme_admin)

    assert STYLE not in client.get("/").content.decode()
