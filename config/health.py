"""Health probes, for compose and orchestrators.

``/healthz/live`` (liveness) answers 200 whenever this process can answer at all: it checks
nothing else, so an orchestrator restarts a web process only when the process itself is
stuck, never because a dependency is down (a restart would not bring that back).

``/healthz`` (readiness) reports each dependency on its own:

- ``database``: without it no page can be served, so it alone makes the answer 503 (take
  this process out of the load balancer).
- ``broker`` (Celery's Redis, or the embedded default's folders in ``var/broker/``) and
  ``cache`` (the shared cache: rate limits, heartbeat; Redis, or files in ``var/cache/``):
  with Redis down, pages, sign-in and the API still work (the cache falls back to each
  process's memory, config/cache.py), so they make the answer ``degraded`` but still 200:
  pulling every web process because of Redis would turn a partial outage into a whole one.
- ``worker``: whether a worker ran beat's heartbeat lately (``stale`` after three missed
  beats, ``unknown`` if the cache holds none); also ``degraded``, never 503. The same
  answer (``background_work``) puts a banner on the organisation's pages for its admins
  and program managers (templates/includes/_background_notice.html).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.backends import folder_problem
from config.celery import HEARTBEAT_CACHE_KEY, app

# "eager": tasks run in-process (the test settings); "local": the cache is in-process.
HEALTHY = {"ok", "eager", "local"}
# A heartbeat older than this many beats means no worker (or no beat) is running.
HEARTBEAT_MISSED_BEATS = 3


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the kind is reported
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    if app.conf.broker_url.startswith("filesystem:"):
        # kombu's filesystem transport "connects" whatever its folders: check them.
        options = app.conf.broker_transport_options
        return folder_problem([options["data_folder_in"], options["control_folder"]]) or "ok"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _cache_status() -> str:
    redis_answers = getattr(cache, "redis_answers", None)
    if isinstance(caches["default"], FileBasedCache):
        # No REDIS_URL (the embedded default): files in var/cache/, shared by local processes.
        return folder_problem([settings.CACHES["default"]["LOCATION"]]) or "ok"
    if redis_answers is None:
        return "local"  # this process's memory (the test settings), which cannot be down
    return "ok" if redis_answers() else "error: unreachable, rate limits per process"


@dataclass(frozen=True)
class BackgroundWork:
    """Whether scheduled work (reminders, survey schedules, nightly snapshots, the outbox
    sweep) is running, as beat's heartbeat shows it.

    ``state``: ``ok`` (a worker ran the heartbeat within ``HEARTBEAT_MISSED_BEATS`` beats),
    ``stale`` (it did, longer ago), ``unknown`` (the cache holds no heartbeat: no worker has
    run one since the cache was last emptied) or ``eager`` (no broker: tasks run in the
    process that asks for them, as in the tests, so there is no worker to miss).
    """

    state: str
    last_beat: datetime | None = None  # when a worker last ran the heartbeat (aware, UTC)
    age_seconds: int | None = None

    @property
    def stopped(self) -> bool:
        """Scheduled work is not happening: a worker stopped beating, or none ever did."""
        return self.state in {"stale", "unknown"}


def background_work() -> BackgroundWork:
    """The one answer to "is background work running, and since when did it stop", for
    /healthz and for the banner the organisation's managers see (home.context_processors).
    One cache read, none when tasks run eagerly."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return BackgroundWork("eager")
    try:
        value = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the cache check reports Redis trouble
        value = None
    stamp = parse_datetime(value) if isinstance(value, str) else None
    if stamp is None:
        return BackgroundWork("unknown")
    age = int((timezone.now() - stamp).total_seconds())
    beat = settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"]
    return BackgroundWork("ok" if age <= HEARTBEAT_MISSED_BEATS * beat else "stale", stamp, age)


@never_cache
@require_GET
def healthz(request):
    """Readiness: 503 only when the database is down; see the module's docstring."""
    database = _database_status()
    broker = _broker_status()
    cache_status = _cache_status()
    work = background_work()
    worker = work.state
    if database != "ok":
        status = "error"
    elif broker in HEALTHY and cache_status in HEALTHY and worker in HEALTHY:
        status = "ok"
    else:
        status = "degraded"
    body = {
        "status": status,
        "database": database,
        "broker": broker,
        "cache": cache_status,
        "worker": worker,
        "worker_heartbeat_age_seconds": work.age_seconds,
    }
    return JsonResponse(body, status=503 if status == "error" else 200)


@never_cache
@require_GET
def healthz_live(request):
    """Liveness: this process answers; no dependency is asked."""
    return JsonResponse({"status": "ok"})
