import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="module")
def sweep_server(request, django_db_setup, django_db_blocker):
    """A live server on the demo organisation the module names (``SLUG``), seeded once for
    the module's tests exactly as `make run` seeds it (session and survey history and the
    reports' months of snapshots included), so the pages are the ones a customer sees.

    Not pytest-django's ``live_server``: that makes every test transactional, which would
    empty the database after each role and seed it again (a minute each). The sweep only
    reads (GET), so its roles share one seeding; the module's end empties the database,
    as ``demo_module`` does."""
    from pytest_django.live_server_helper import LiveServer

    from demo.organizations import DEMO_ORGANIZATIONS

    slug = request.module.SLUG
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "demo.organizations.DEMO_ORGANIZATIONS",
            [organization for organization in DEMO_ORGANIZATIONS if organization[0] == slug],
        )
        call_command("seed_demo", stdout=io.StringIO())
        patch.undo()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            # As a transactional test case does: the app role may empty tables, not reset
            # their sequences (it owns neither).
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
