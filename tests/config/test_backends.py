"""One rule picks the broker and the cache (config/backends.py): the environment's
CELERY_BROKER_URL, else REDIS_URL, else the filesystem broker and file cache in var/."""

from pathlib import Path

from config.backends import broker_settings, cache_settings, folder_problem

VAR = Path("/srv/upturn/var")


def _broker(broker_url="", redis_url=""):
    return broker_settings(
        broker_url=broker_url, redis_url=redis_url, var_dir=VAR, visibility_timeout=1800
    )


def test_without_redis_the_broker_is_folders_under_var():
    url, options = _broker()

    assert url.startswith("filesystem://")
    assert options == {
        "data_folder_in": "/srv/upturn/var/broker/queue",
        "data_folder_out": "/srv/upturn/var/broker/queue",
        "control_folder": "/srv/upturn/var/broker/control",
    }


def test_redis_url_is_the_broker_with_its_visibility_timeout():
    assert _broker(redis_url="redis://r:6379/0") == (
        "redis://r:6379/0",
        {"visibility_timeout": 1800},
    )


def test_celery_broker_url_wins_over_redis_url():
    url, _options = _broker(broker_url="redis://broker:6379/1", redis_url="redis://r:6379/0")

    assert url == "redis://broker:6379/1"


def test_without_redis_the_cache_is_files_every_local_process_shares():
    cache = cache_settings(redis_url="", var_dir=VAR)

    assert cache["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert cache["LOCATION"] == "/srv/upturn/var/cache"


def test_with_redis_the_cache_is_redis_with_its_local_fallback():
    cache = cache_settings(redis_url="redis://r:6379/0", var_dir=VAR)

    assert cache["BACKEND"] == "config.cache.RedisCacheWithLocalFallback"
    assert cache["LOCATION"] == "redis://r:6379/0"


def test_a_folder_that_can_be_made_is_fine_and_a_file_in_its_way_is_not(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    assert folder_problem([str(tmp_path / "not-yet" / "queue")]) is None
    assert folder_problem([str(blocker / "queue")]) == f"error: {blocker / 'queue'} is not writable"
