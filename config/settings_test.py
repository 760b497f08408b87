"""Fast settings for the test suite: the environment still chooses the database and
Redis (CI runs on PostgreSQL and Redis), everything else is made quick and quiet."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests run in-process: the real-worker test starts its own worker against the broker.
CELERY_TASK_ALWAYS_EAGER = True
# Without Redis, each test process keeps its own cache in memory (the embedded default's
# files in var/cache/ would be shared by parallel test processes and by `make run`).
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# A fixed pair for sealing anonymous answers, so that a real worker started by a test
# opens what the test process sealed. For tests only: never use it anywhere else.
SURVEY_SEAL_PUBLIC_KEY = "yiX7wSHzRI+wNY5w1wE3v8PTVH9gD6iewdVKlqiVVE4="
SURVEY_SEAL_PRIVATE_KEYS = ["A3yd+DtXAgFWB6Ag/GQm55JSlPjweHD9gzUKPaYzpa8="]  # noqa: S105
# Encrypts identity providers' secrets in tests only (identity/secrets.py).
SSO_SECRET_KEYS = ["mEZRbr2OFtCDhrbV9Y+f+k6mpzjVRMDX6BBWtTPf0R8="]
# Tenant-owned models that exist only in the test database (see tests/tenancy_app).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.tenancy_app"]  # noqa: F405
# On SQLite, a file rather than the shared in-memory database: the live server's request
# threads then open connections of their own instead of borrowing the test thread's.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per run, so two runs side by side do not share it.
    _TEST_DB = VAR_DIR / f"test-{os.getpid()}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_DB)}  # noqa: F405
    # A throwaway database needs no durability: skip the disk syncs.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA synchronous=OFF;"}  # noqa: F405
    VAR_DIR.mkdir(exist_ok=True)  # noqa: F405


def _redis_for_this_worker(url: str, worker: str) -> str:
    """Parallel runs (pytest-xdist) give each worker a Redis database of its own, as they
    get a database of their own: every test's cache.clear() empties its whole database.
    Worker gwN takes REDIS_URL's database + N. Computed from the environment, not written
    back to it, so a Celery worker a test starts (same environment) lands on the same."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    # 14 and 15 are the reminder-worker test's broker (tests/sessions/test_reminder_worker.py).
    if database >= 14:
        raise RuntimeError(f"Too many test workers for REDIS_URL {url}: use fewer (-n).")
    return urlunsplit(parts._replace(path=f"/{database}"))


if REDIS_URL and (_WORKER := os.environ.get("PYTEST_XDIST_WORKER")):  # noqa: F405
    _REDIS = _redis_for_this_worker(REDIS_URL, _WORKER)  # noqa: F405
    CACHES["default"]["LOCATION"] = _REDIS  # noqa: F405
    if CELERY_BROKER_URL == REDIS_URL:  # noqa: F405
        CELERY_BROKER_URL = _REDIS
    if CELERY_RESULT_BACKEND == REDIS_URL:  # noqa: F405
        CELERY_RESULT_BACKEND = _REDIS
