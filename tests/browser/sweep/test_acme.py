"""The sweep of every page each demo role of Acme reaches (crawler.py says what it checks),
then the same roles in each shipped language (languages.py).
One test per role; the organisation is seeded once per module (and per xdist worker)."""

import pytest

from tests.browser.sweep.crawler import ROLES, assert_clean, sweep_role
from tests.browser.sweep.languages import LANGUAGES, set_language, sweep_language
from tests.english_texts import english_msgids

# django_db: the test database is set up only for modules that ask for it; the tests
# themselves read through the live server, which sees the module's committed seeding.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SLUG = "acme"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_the_role_reaches_passes_the_sweep(chromium, sweep_server, screenshot, role):
    assert_clean(sweep_role(chromium, sweep_server, slug=SLUG, role=role, screenshot=screenshot))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_the_role_reaches_is_in_their_language(
    chromium, sweep_server, screenshot, language, role
):
    set_language(role, language)
    sweep = sweep_language(
        chromium, sweep_server, role=role, language=language, screenshot=screenshot
    )
    assert len(sweep.visited) > 1, sweep.visited
    assert not sweep.problems, (
        f"{len(sweep.problems)} problems on {len(sweep.visited)} pages in {language}:\n"
        + "\n".join(dict.fromkeys(sweep.problems))
    )


def test_the_sweep_knows_english_from_the_catalogue():
    """The comparison can fail: a sentence the catalogue translates is flagged, a word
    each language writes the same is not."""
    german = english_msgids("de")
    assert "Notification settings" in german
    assert "Mentor" not in german  # German writes it the same
    assert "Pulse after a session" not in german  # a survey template's name: content
