"""/healthz: database and broker status as JSON, for compose and orchestrator probes."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import HEARTBEAT_CACHE_KEY, app


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
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _last_heartbeat_age() -> int | None:
    """Seconds since a worker last ran the beat heartbeat, or None if it never has."""
    try:
        value = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the broker check already reports Redis trouble
        return None
    stamp = parse_datetime(value) if value else None
    return int((timezone.now() - stamp).total_seconds()) if stamp else None


@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "eager"}
    body = {
        "status": "ok" if healthy else "error",
        "database": database,
        "broker": broker,
        "worker_heartbeat_age_seconds": _last_heartbeat_age(),
    }
    return JsonResponse(body, status=200 if healthy else 503)
