"""Fixtures shared by the whole suite: named personas, infrastructure guards, and a real
Chromium driven by Playwright against Django's live server."""

import io
import os
from datetime import date
from pathlib import Path

import pytest

from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs.models import Participant, Program
from tests import demo_snapshot
from tests.helpers import require
from tests.organizations.factories import (
    DepartmentFactory,
    EmployeeFactory,
    MembershipFactory,
    OrganizationFactory,
)
from tests.programs.factories import (
    CohortFactory,
    ParticipantFactory,
    ParticipantTopicFactory,
    ProgramFactory,
    ProgramManagerFactory,
    ProgramTopicFactory,
    TopicFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM
# calls from that thread unless told the loop is not serving requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL with DATABASE_APP_ROLE set, run every test as that role.

    The test database is created and migrated as DATABASE_URL's user (the owner, as
    bin/migrate does in production); then every connection switches to the application
    role, which owns no table and cannot bypass row-level security. The one extra grant,
    TRUNCATE, exists only in the test database: Django empties tables with it between
    transactional tests.
    """
    from django.conf import settings
    from django.db import connections

    role = settings.DATABASE_APP_ROLE
    connection = connections["default"]
    if connection.vendor != "postgresql" or not role:
        yield
        return
    owner = connection.settings_dict["USER"]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
    connection.close()
    connection.settings_dict["USER"] = role
    demo_snapshot.owner["user"] = owner
    yield
    demo_snapshot.owner["user"] = None
    connection.close()
    connection.settings_dict["USER"] = owner


@pytest.fixture(scope="session")
def demo_snapshots_dir(tmp_path_factory, worker_id) -> Path:
    """A folder every xdist worker of this run shares (tests/demo_snapshot.py)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture
def seed_demo_once(request, demo_snapshots_dir):
    """``seed_demo_once(variant, seed)``: the rows ``seed()`` leaves, seeded at most once
    per test run for each variant and copied back after that (tests/demo_snapshot.py)."""

    def seeded(variant: str, seed) -> None:
        demo_snapshot.seed_demo_or_restore(variant, seed, demo_snapshots_dir)

    return seeded


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded files go to a throwaway folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and heartbeats live in the cache; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request leaves its language active in the thread (as a server's next request
    replaces it): the test client's requests run in the test's thread, so a French page
    in one test must not make the next test's code speak French."""
    from django.utils import translation

    yield
    translation.activate("en")


# --- Personas -----------------------------------------------------------------------
# Named people, defined once: Acme's admin, program manager, executive, mentor and mentee,
# and Globex's admin (an outsider to Acme). Each is a user; their membership is
# ``Membership.objects.get(user=...)`` inside Acme's tenant_context.


@pytest.fixture
def acme(db):
    return OrganizationFactory(slug="acme", name="Acme")


@pytest.fixture
def globex(db):
    return OrganizationFactory(slug="globex", name="Globex")


@pytest.fixture
def acme_admin(acme):
    return MembershipFactory(organization=acme, is_admin=True, is_participant=False).user


@pytest.fixture
def acme_manager(acme):
    """A program manager of Acme who manages no program yet (``world_manager`` manages
    the world's)."""
    return MembershipFactory(organization=acme, is_program_manager=True, is_participant=False).user


@pytest.fixture
def acme_executive(acme):
    return MembershipFactory(organization=acme, is_executive=True, is_participant=False).user


@pytest.fixture
def acme_mentor(acme):
    return MembershipFactory(organization=acme, is_participant=True).user


@pytest.fixture
def acme_mentee(acme):
    return MembershipFactory(organization=acme, is_participant=True).user


@pytest.fixture
def globex_admin(globex):
    return MembershipFactory(organization=globex, is_admin=True, is_participant=False).user


@pytest.fixture
def world_manager(acme, acme_manager, world):
    """Acme's program manager, managing the world's program (they reach only the programs
    they manage)."""
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=acme_manager)
    ProgramManagerFactory(program=world["program"], membership=membership)
    return acme_manager


# --- Infrastructure guards ------------------------------------------------------------


class TaskArgumentsNotJSON(TypeError):
    """A task was enqueued with arguments its serializer cannot write."""


@pytest.fixture(autouse=True)
def celery_arguments_serialise(monkeypatch):
    """Tests run tasks eagerly (CELERY_TASK_ALWAYS_EAGER), which skips serialising their
    arguments; a real broker would refuse a model instance or a set. So every
    ``apply_async`` (and so ``delay``) first writes its arguments with the task's
    serializer, as the broker path does, and a task whose arguments do not serialise fails
    the test with its name: at the call, and again at teardown in case the application
    caught the error. Yields the list of such failures (a test that provokes one on
    purpose empties it)."""
    from celery.app.task import Task
    from kombu.exceptions import EncodeError
    from kombu.serialization import dumps

    failures = []
    apply_async = Task.apply_async

    def checked(self, args=None, kwargs=None, *rest, **options):
        serializer = options.get("serializer") or self.serializer
        try:
            dumps((list(args or ()), dict(kwargs or {})), serializer=serializer)
        except (EncodeError, TypeError, ValueError) as error:
            failure = (
                f"task {self.name} was enqueued with arguments that do not serialise as"
                f" {serializer}: args={args!r} kwargs={kwargs!r} ({error})"
            )
            failures.append(failure)
            raise TaskArgumentsNotJSON(failure) from error
        return apply_async(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", checked)
    yield failures
    if failures:
        pytest.fail("\n".join(failures))


@pytest.fixture(autouse=True)
def _demo_without_report_history(request, monkeypatch):
    """seed_demo leaves out the reports' months of snapshots unless a test is marked
    ``reports_demo``: only the dashboard reads them, and they take a while to count."""
    if request.node.get_closest_marker("reports_demo") is None:
        monkeypatch.setattr("demo.reports.seed_reports_demo", lambda organization: None)


# --- Browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium():
    require(CHROMIUM.exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser tab whose relative URLs go to the live server."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under test-artifacts/ (CI keeps them for a human to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def celery_conf():
    """Change the Celery app's configuration for one test and put it back afterwards."""
    from config.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf.get(key))
            app.conf[key] = value

    yield change
    for key, value in saved.items():
        app.conf[key] = value


# A small cohort to match, shared by the matching and sessions tests.
@pytest.fixture
def world(acme):
    """A reverse program in matching with one cohort: mentors Ann (Sales, level 2,
    capacity 1), Bea (Engineering, 3) and Cy (Sales, 1), mentees Dan (Engineering, 8,
    managed by Bea's manager chain: Bea reports to Dan), Eve (Sales, 7) — all approved,
    with topics, no required training."""
    sales = DepartmentFactory(organization=acme, name="Sales")
    engineering = DepartmentFactory(organization=acme, name="Engineering")
    topic = TopicFactory(organization=acme, name="Generative AI tools")
    program = ProgramFactory(
        organization=acme,
        name="Reverse",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 9, 30),
        status=Program.Status.MATCHING,
    )
    ProgramTopicFactory(program=program, topic=topic)
    cohort = CohortFactory(
        program=program, name="Pilot", start_date=date(2027, 1, 1), end_date=date(2027, 6, 30)
    )
    dan = EmployeeFactory(
        organization=acme, employee_number="D", name="Dan Senior", email="dan@acme.example",
        department=engineering, job_level=8,
    )  # fmt: skip
    specs = [
        ("Ann Junior", "mentor", sales, 2, None),
        ("Bea Junior", "mentor", engineering, 3, dan),
        ("Cy Junior", "mentor", sales, 1, None),
        ("Dan Senior", "mentee", engineering, 8, None),
        ("Eve Senior", "mentee", sales, 7, None),
    ]
    people = {}
    for name, role, department, level, manager in specs:
        first = name.split()[0]
        employee = (
            dan
            if first == "Dan"
            else EmployeeFactory(
                organization=acme,
                employee_number=first,
                name=name,
                email=f"{first.lower()}@acme.example",
                department=department,
                job_level=level,
                manager=manager,
            )
        )
        participant = ParticipantFactory(
            cohort=cohort,
            employee=employee,
            role=role,
            status=Participant.Status.APPROVED,
            availability=["tue-morning"],
            time_zone="Europe/Berlin",
            languages=["English"],
            goals="Learn",
        )
        ParticipantTopicFactory(
            participant=participant,
            topic=topic,
            kind="teach" if role == "mentor" else "learn",
            level=5 if first in ("Ann", "Bea") else 2,
        )
        people[first] = participant
    return {"program": program, "cohort": cohort, **people}


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, demo_snapshots_dir):
    """The demo data, in place for a module's tests (seeded once per test run, then
    copied back: tests/demo_snapshot.py): each test still runs in its own transaction,
    rolled back; the module's end empties the database again. Without the reports'
    months of snapshots, which none of these modules reads (the dashboard's browser
    journey seeds them)."""
    from django.core.management import call_command

    def seed():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("demo.reports.seed_reports_demo", lambda organization: None)
            call_command("seed_demo", stdout=io.StringIO())

    with django_db_blocker.unblock():
        demo_snapshot.seed_demo_or_restore("without-reports", seed, demo_snapshots_dir)
    yield
    with django_db_blocker.unblock():
        # As a transactional test case does: the app role may empty tables, not reset
        # their sequences (it owns neither).
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
