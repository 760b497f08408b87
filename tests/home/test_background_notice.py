"""The banner that background work stopped (home/background.py): admins and program
managers see it on every page of the organisation, with the last heartbeat in their own
time zone or word that no worker ever ran; mentors, mentees and executives never do; a
fresh heartbeat, or tasks run eagerly (no broker: no worker to miss), hide it. /healthz
reads the same answer (config.health.background_work)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from config import health
from config.celery import HEARTBEAT_CACHE_KEY
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from tests.organizations.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PAGES = ("/o/acme/", "/o/acme/notifications/", "/o/acme/reports/", "/o/acme/directory/")
PAUSED = "Reminders, surveys and reports are paused."
BEAT = 60  # HEARTBEAT_SECONDS's default, as config/settings.py reads it


@pytest.fixture
def worker_expected(settings):
    """A broker is configured: a worker and beat should be running (not the eager tests)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "heartbeat": {"task": "config.celery.heartbeat", "schedule": float(BEAT)},
    }


def _beat(at: datetime) -> None:
    cache.set(HEARTBEAT_CACHE_KEY, at.isoformat())


def _notice(client, user, path="/o/acme/") -> str | None:
    client.force_login(user)
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    html = response.content.decode()
    if "data-background-notice" not in html:
        return None
    return html.split("data-background-notice", 1)[1].split("</div>", 1)[0]


def test_a_stale_heartbeat_shows_managers_and_admins_the_banner_on_every_page(
    client, acme, acme_admin, acme_manager, worker_expected
):
    _beat(timezone.now() - timedelta(seconds=BEAT * health.HEARTBEAT_MISSED_BEATS + 30))

    for user in (acme_admin, acme_manager):
        for path in PAGES:
            notice = _notice(client, user, path)
            assert notice is not None, (user, path)
            assert PAUSED in notice
            assert "No background worker has run since" in notice


def test_mentors_mentees_and_executives_never_see_it(
    client, acme, acme_mentor, acme_mentee, acme_executive, worker_expected
):
    _beat(timezone.now() - timedelta(hours=5))

    for user in (acme_mentor, acme_mentee, acme_executive):
        assert _notice(client, user) is None
        assert _notice(client, user, "/o/acme/notifications/") is None
    assert _notice(client, acme_executive, "/o/acme/reports/") is None


def test_a_fresh_heartbeat_hides_it(client, acme, acme_admin, acme_manager, worker_expected):
    _beat(timezone.now() - timedelta(seconds=BEAT))

    assert _notice(client, acme_admin) is None
    assert _notice(client, acme_manager) is None


def test_with_no_heartbeat_ever_it_says_no_worker_has_run_yet(
    client, acme, acme_manager, worker_expected
):
    notice = _notice(client, acme_manager)

    assert PAUSED in notice
    assert "No background worker has run yet." in notice
    assert "since" not in notice


def test_tasks_run_eagerly_show_no_banner(client, acme, acme_admin, settings):
    """No broker (the tests, and any setup without one): tasks run in the process that
    asks for them, so there is no worker to have stopped; /healthz says "eager" too."""
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert _notice(client, acme_admin) is None
    assert client.get("/healthz").json()["worker"] == "eager"


def test_the_time_is_the_last_heartbeat_in_the_viewers_own_zone(
    client, acme, acme_manager, worker_expected
):
    Organization.objects.filter(pk=acme.pk).update(time_zone="Asia/Tokyo")
    with tenant_context(organization=acme):
        member = Membership.objects.get(user=acme_manager)
        EmployeeFactory(organization=acme, member=member, time_zone="America/New_York")
    _beat(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))  # 6 Dec 18:30 in New York

    notice = _notice(client, acme_manager)

    assert "No background worker has run since 6 December 2026, 18:30 (America/New_York)." in (
        " ".join(notice.split())
    )


def test_the_banner_is_a_status_region_styled_as_a_warning(
    client, acme, acme_admin, worker_expected
):
    client.force_login(acme_admin)
    html = client.get("/o/acme/").content.decode()

    assert (
        '<div class="alert alert-warning background-notice" role="status" data-background-notice>'
        in html
    )
    assert 'role="alert" data-background-notice' not in html


def test_healthz_and_the_banner_give_one_answer(client, acme, acme_admin, worker_expected):
    stale = timezone.now() - timedelta(hours=2)
    _beat(stale)

    body = client.get("/healthz").json()
    work = health.background_work()

    assert body["worker"] == work.state == "stale"
    assert work.stopped and work.last_beat == stale
    assert body["worker_heartbeat_age_seconds"] >= 7200
    assert _notice(client, acme_admin) is not None


def test_a_page_reads_the_heartbeat_once_and_a_participant_not_at_all(
    client, acme, acme_admin, acme_mentor, worker_expected, monkeypatch
):
    reads = []
    real_get = health.cache.get

    def counting_get(key, *args, **kwargs):
        if key == HEARTBEAT_CACHE_KEY:
            reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(health.cache, "get", counting_get)
    _beat(timezone.now())

    client.force_login(acme_admin)
    client.get("/o/acme/")
    assert len(reads) == 1

    reads.clear()
    client.force_login(acme_mentor)
    client.get("/o/acme/")
    assert reads == []


def test_pages_outside_an_organisation_show_no_banner(client, acme, acme_admin, worker_expected):
    client.force_login(acme_admin)

    assert "data-background-notice" not in client.get("/accounts/email/").content.decode()
