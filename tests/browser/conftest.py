import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data():
    """The demo organisations, people and rosters, as `make run` has them."""
    call_command("seed_demo", stdout=io.StringIO())
