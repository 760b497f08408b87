"""Fast settings for the test suite: the environment still chooses the database and
Redis (CI runs on PostgreSQL and Redis), everything else is made quick and quiet."""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests run in-process: the real-worker test starts its own worker against the broker.
CELERY_TASK_ALWAYS_EAGER = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tenant-owned models that exist only in the test database (see tests/tenancy_app).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.tenancy_app"]  # noqa: F405
