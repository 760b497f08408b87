import pytest

from tests.privacy.helpers import build_story


@pytest.fixture
def story(acme, world, acme_admin):
    return build_story(acme, world, acme_admin)
