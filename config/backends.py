"""Which broker and which cache a process uses, as plain functions of the environment.

One rule each, so settings.py, the embedded runner and the tests agree:

- broker: ``CELERY_BROKER_URL`` if set, else ``REDIS_URL``, else kombu's filesystem
  transport in folders under ``var/broker/`` (the embedded default: no server at all).
- cache: Redis at ``REDIS_URL`` if set, else files under ``var/cache/``, shared by every
  process on the machine (the web server, the worker and beat), so the worker's heartbeat
  reaches ``/healthz``. The test settings keep each process's memory instead.
"""

import os
from pathlib import Path

FILESYSTEM_BROKER_URL = "filesystem://localhost//"


def broker_folders(var_dir: Path) -> dict[str, Path]:
    """The embedded broker's folders: one queue folder (producers write where the worker
    reads) and the control folder holding the exchange tables."""
    root = var_dir / "broker"
    return {"queue": root / "queue", "control": root / "control"}


def broker_settings(
    *, broker_url: str, redis_url: str, var_dir: Path, visibility_timeout: int
) -> tuple[str, dict]:
    """The broker URL and its transport options.

    The Redis transport takes ``visibility_timeout`` (how long a task taken by a worker
    that died stays unacknowledged before it is handed out again); the filesystem
    transport takes its folders and nothing else.
    """
    url = broker_url or redis_url
    if url:
        return url, {"visibility_timeout": visibility_timeout}
    folders = broker_folders(var_dir)
    return FILESYSTEM_BROKER_URL, {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "control_folder": str(folders["control"]),
    }


def make_broker_folders(transport_options: dict) -> None:
    """Create the filesystem broker's folders (kombu lists them; it does not create them)."""
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in transport_options:
            Path(transport_options[key]).mkdir(parents=True, exist_ok=True)


def cache_settings(*, redis_url: str, var_dir: Path) -> dict:
    """The default cache: Redis (falling back to memory while it is down) or files."""
    if redis_url:
        return {
            # Redis, shared by every process; while it does not answer, each process
            # falls back to its own memory (config/cache.py), so sign-in and the API keep
            # working with per-process rate limits instead of failing.
            "BACKEND": "config.cache.RedisCacheWithLocalFallback",
            "LOCATION": redis_url,
            "KEY_PREFIX": "upturn",
            # A Redis that hangs rather than refuses costs a request a second or two at
            # most, once per retry interval, not the default of waiting forever.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    # One machine, several processes (runserver, the worker, beat): files in var/ are
    # what they share. Django writes each entry to a temporary file and renames it.
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(var_dir / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }


def folder_problem(folders: list[str]) -> str | None:
    """Why this process could not use these folders (the filesystem broker's, the file
    cache's), or None. A missing folder is fine if it can be made: the cache makes its own."""
    for folder in folders:
        path = Path(folder)
        while not path.exists() and path != path.parent:
            path = path.parent
        if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
            return f"error: {folder} is not writable"
    return None
