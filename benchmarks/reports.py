"""Timing the reports on a large organisation (``manage.py benchmark_reports``): the
nightly job and the dashboard page, each next to the plain SQL that reads the same
numbers, so the gap to the floor is visible."""

# ruff: noqa: S608 - the plain SQL's table and column names come from the models

import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.models import User
from directory.models import Employee
from matching.models import Pair
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from reports import kpis, selectors, services
from reports.cache import labels_changed
from reports.forms import DEFAULT_DAYS
from reports.models import Snapshot
from sessions.models import MentoringSession
from surveys.models import Answer, Question, Response, Survey

BENCH_EXECUTIVE = "benchmark-executive@{slug}.example"


@dataclass
class Timing:
    seconds: list[float]
    queries: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.seconds) * 1000


def _timed(work, repeat: int) -> Timing:
    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
        queries = len(captured)
    return Timing(seconds, queries)


def nightly(organization: Organization, repeat: int = 3) -> Timing:
    day = selectors.last_complete_day(organization)

    def work():
        with tenant_context(organization=organization):
            services.snapshot_write(organization=organization, day=day)

    return _timed(work, repeat)


def nightly_floor(organization: Organization, repeat: int = 3) -> Timing:
    """Plain SQL for the counts that read the most rows (sessions held, pairs, and the
    end-of-program and baseline answers per cohort): no KPI logic, just the scans."""
    until = kpis.AsOf(organization, selectors.last_complete_day(organization)).until
    session, pair = MentoringSession._meta.db_table, Pair._meta.db_table
    answer, response = Answer._meta.db_table, Response._meta.db_table
    question, survey = Question._meta.db_table, Survey._meta.db_table
    employee = Employee._meta.db_table
    statements = [
        (
            f"SELECT p.cohort_id, count(*) FROM {session} s JOIN {pair} p ON p.id = s.pair_id "
            "WHERE s.organization_id = %s AND s.status = 'held' AND s.starts_at < %s "
            "GROUP BY p.cohort_id",
            [organization.pk, until],
        ),
        (
            f"SELECT cohort_id, count(*) FROM {pair} WHERE organization_id = %s "
            "AND published_at < %s GROUP BY cohort_id",
            [organization.pk, until],
        ),
        (
            f"SELECT r.cohort_id, a.value, count(*) FROM {answer} a "
            f"JOIN {response} r ON r.id = a.response_id "
            f"JOIN {question} q ON q.id = a.question_id "
            f"JOIN {survey} v ON v.id = q.survey_id WHERE a.organization_id = %s "
            "AND v.kind IN ('end', 'baseline') GROUP BY r.cohort_id, a.value",
            [organization.pk],
        ),
        (
            f"SELECT department_id, job_level, count(*) FROM {employee} "
            "WHERE organization_id = %s GROUP BY department_id, job_level",
            [organization.pk],
        ),
    ]

    def work():
        with tenant_context(organization=organization), connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return _timed(work, repeat)


def _executive(organization: Organization) -> User:
    email = BENCH_EXECUTIVE.format(slug=organization.slug)
    user, _ = User.objects.get_or_create(email=email)
    with tenant_context(organization=organization):
        Membership.objects.get_or_create(
            organization=organization,
            user=user,
            defaults={"is_executive": True, "is_participant": False},
        )
    return user


@contextmanager
def _static_files_collected():
    """With DEBUG off, pages name their assets through the manifest that collectstatic
    writes; where it never ran (a scratch checkout), the first ``{% static %}`` fails with
    "Missing staticfiles manifest entry". Collect into a temporary folder for the run
    instead, so the page is timed with the storage production serves from."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        yield
        return
    with (
        tempfile.TemporaryDirectory(prefix="upturn-static-") as root,
        override_settings(STATIC_ROOT=root),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield


def dashboard(organization: Organization, repeat: int = 20, *, cold: bool = False) -> Timing:
    """The page's server time, through Django's whole stack (middleware, view, template).
    Requests are marked secure, as behind the TLS proxy a deployment has, so that HTTPS
    settings do not answer them with a redirect. ``cold``: every request finds its
    sections out of the cache (reports.cache), as the first one after a night does."""
    with _static_files_collected():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(_executive(organization))
        url = f"/o/{organization.slug}/reports/"
        client.get(url, secure=True)  # warm up: the session, caches, templates

        def work():
            if cold:
                labels_changed(organization.pk)
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code

        return _timed(work, repeat)


def dashboard_floor(organization: Organization, repeat: int = 20) -> Timing:
    """Plain SQL for the rows the dashboard reads: the period's trend (the funnel and what
    each day published), the latest day's publication and the cohorts' rows of that day."""
    table = Snapshot._meta.db_table
    today = selectors.today(organization)
    start = today - timedelta(days=DEFAULT_DAYS)

    def work():
        with tenant_context(organization=organization), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT day, headline, published FROM {table} WHERE organization_id = %s "
                "AND scope = 'organization' AND day BETWEEN %s AND %s ORDER BY day",
                [organization.pk, start, today],
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT day, published, published_detail FROM {table} "
                "WHERE organization_id = %s "
                "AND scope = 'organization' AND day <= %s ORDER BY day DESC LIMIT 1",
                [organization.pk, today],
            )
            (day, _published, _detail) = cursor.fetchone()
            cursor.execute(
                f"SELECT cohort_id, headline, published FROM {table} "
                "WHERE organization_id = %s AND day = %s AND cohort_id IS NOT NULL",
                [organization.pk, day],
            )
            cursor.fetchall()

    return _timed(work, repeat)
