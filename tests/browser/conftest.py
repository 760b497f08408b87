import io

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_data(monkeypatch):
    """The demo organisations, people, rosters, programs and matching, as `make run` has
    them, less the pilot's session and survey history, which no journey here reads (and
    which takes a while to write: these tests seed once each). The reports' history is
    left out for every test but those marked ``reports_demo`` (tests/conftest.py)."""
    monkeypatch.setattr("sessions.demo.seed_sessions_demo", lambda organization: None)
    monkeypatch.setattr("surveys.demo.seed_surveys_demo", lambda organization: None)
    call_command("seed_demo", stdout=io.StringIO())
