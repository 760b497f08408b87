"""The sweep of every page each demo role of Globex reaches (crawler.py says what it checks).
One test per role; the organisation is seeded once per module (and per xdist worker)."""

import pytest

from tests.browser.sweep.crawler import ROLES, assert_clean, sweep_role

# django_db: the test database is set up only for modules that ask for it; the tests
# themselves read through the live server, which sees the module's committed seeding.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]
SLUG = "globex"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_the_role_reaches_passes_the_sweep(chromium, sweep_server, screenshot, role):
    assert_clean(sweep_role(chromium, sweep_server, slug=SLUG, role=role, screenshot=screenshot))
