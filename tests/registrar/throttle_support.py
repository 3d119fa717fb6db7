"""The two stores of registrar/throttle.py for tests (no tests of their own): the table, and
a real Redis on 127.0.0.1:6379 in a dedicated database (14), under a key prefix of its own
per test so that parallel runs do not collide, its keys deleted at the end; and a Redis that
is down: a real closed port (127.0.0.1:1), not a mock.

Import the fixtures into a test module: ``from tests.registrar.throttle_support import
backend, redis_down, ...`` (pytest finds fixtures in the module's namespace)."""

import datetime
import uuid
from contextlib import contextmanager, suppress

import pytest
from django.db.models import F
from django.test import override_settings

from registrar.models import FailedAttempt

REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
# Nothing listens on port 1 (privileged, unused): connections are refused at once.
REDIS_DOWN_URL = "redis://127.0.0.1:1/0"


def redis_caches(url: str, prefix: str) -> dict:
    """CACHES as registrar/settings.py writes them when REDIS_URL is set."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


def fresh_pools() -> None:
    """As if on another app server: django-redis's process-wide connection pools are closed
    and forgotten, so the next connection opens a new pool (a new socket)."""
    from django.core.cache import caches
    from django_redis.pool import ConnectionFactory

    caches.close_all()
    for pool in ConnectionFactory._pools.values():
        pool.disconnect()
    ConnectionFactory._pools.clear()
    for alias in list(caches):
        with suppress(AttributeError, KeyError):
            del caches[alias]


@contextmanager
def redis_store(url: str = REDIS_TEST_URL):
    """REDIS_URL and CACHES on ``url`` with a unique key prefix; yields the prefix. Every
    key under it is deleted at the end."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    fresh_pools()
    with override_settings(REDIS_URL=url, CACHES=redis_caches(url, prefix)):
        try:
            yield prefix
        finally:
            if url == REDIS_TEST_URL:
                import redis

                raw = redis.Redis.from_url(url)
                keys = list(raw.scan_iter(match=f"{prefix}:*", count=1000))
                if keys:
                    raw.delete(*keys)
                raw.close()
            fresh_pools()
    fresh_pools()


@pytest.fixture
def redis_backend():
    """The rate limits in a real Redis (skipped only when no Redis listens on 6379)."""
    if not _redis_reachable():
        pytest.skip("no Redis on 127.0.0.1:6379")
    with redis_store() as prefix:
        yield prefix


@pytest.fixture
def redis_down():
    """REDIS_URL set, Redis not there (a closed port)."""
    with redis_store(REDIS_DOWN_URL) as prefix:
        yield prefix


@pytest.fixture(params=["table", "redis"])
def backend(request):
    """Each test twice: the FailedAttempt table (no REDIS_URL), then Redis."""
    if request.param == "redis":
        request.getfixturevalue("redis_backend")
    return request.param


def age_failures(minutes: float) -> None:
    """As if every failure so far, in the store in use, happened ``minutes`` earlier."""
    from django.conf import settings

    delta = datetime.timedelta(minutes=minutes)
    if not settings.REDIS_URL:
        FailedAttempt.objects.update(at=F("at") - delta)
        return
    import redis

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    raw = redis.Redis.from_url(settings.REDIS_URL)
    for key in raw.scan_iter(match=f"{prefix}:throttle:*", count=1000):
        entries = raw.zrange(key, 0, -1, withscores=True)
        if entries:
            raw.zadd(key, {member: score - delta.total_seconds() for member, score in entries})
    raw.close()


def stored_failures() -> int:
    """How many failures the store in use holds (every door): rows, or members of the
    per-client sets in Redis (one per failure)."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return FailedAttempt.objects.count()
    import redis

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    raw = redis.Redis.from_url(settings.REDIS_URL)
    total = sum(raw.zcard(key) for key in raw.scan_iter(match=f"{prefix}:throttle:*:c:*"))
    raw.close()
    return total
