"""The Celery application. Workers and beat start with ``celery -A config ...``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("upturn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@app.task(name="config.celery.heartbeat")
def heartbeat() -> str:
    """Record that a worker ran a task just now; /healthz reports its age."""
    from django.core.cache import cache
    from django.utils import timezone

    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now
