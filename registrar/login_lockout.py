"""The staff login lockout (django-axes) in the shared cache when Redis is set, failing OPEN
when Redis does not answer (docs/decisions/0020-rate-limits-in-redis.md).

axes' own cache handler does not survive a Redis outage even with django-redis's
IGNORE_EXCEPTIONS: ``touch`` is not covered by it and raises, and an ignored ``add``/``incr``
answers None, which axes then compares with a number — a failed login became a 500. This
handler keeps axes' behaviour while Redis answers and, when it does not, lets the login
proceed uncounted (with a warning in the log): staff accounts are named, have strong
passwords and are audited, and the office must keep working during an outage; the public
doors, anonymous, fail closed instead (registrar/throttle.py).

Settings (registrar/settings.py, when REDIS_URL is set):
``AXES_HANDLER = "registrar.login_lockout.SharedCacheLockoutHandler"``, ``AXES_CACHE =
"default"``.
"""

import logging

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class _CacheUnavailable(Exception):
    """The cache answered an ignored error (None) where axes needs a number."""


class _StrictCache:
    """The cache as axes uses it, where an ignored connection error (None from ``add`` or
    ``incr``) raises instead of reaching axes' arithmetic."""

    def __init__(self, cache):
        self._cache = cache

    def add(self, *args, **kwargs):
        added = self._cache.add(*args, **kwargs)
        if added is None:
            raise _CacheUnavailable("add")
        return added

    def incr(self, *args, **kwargs):
        value = self._cache.incr(*args, **kwargs)
        if value is None:
            raise _CacheUnavailable("incr")
        return value

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SharedCacheLockoutHandler(AxesCacheHandler):
    """axes' cache handler, open when the cache (Redis) does not answer: a failure is then
    not counted and a count reads 0."""

    def __init__(self):  # axes' handler keeps the cache of its first call; we read it each time
        pass

    @property
    def cache(self):
        # Looked up at each use: the cache handler is per thread, and tests change CACHES.
        return _StrictCache(get_cache())

    def _open(self, what: str, exc: Exception) -> None:
        logger.warning(
            "Login lockout unavailable (cache): %s not counted, the login proceeds: %r",
            what,
            exc,
        )

    def get_failures(self, request, credentials=None) -> int:
        try:
            return super().get_failures(request, credentials)
        except (RedisError, _CacheUnavailable) as exc:
            self._open("failures", exc)
            return 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        except (RedisError, _CacheUnavailable) as exc:
            self._open("a failed login", exc)
            return None

    def user_logged_in(self, sender, request, user, **kwargs):
        try:
            return super().user_logged_in(sender, request, user, **kwargs)
        except (RedisError, _CacheUnavailable) as exc:
            self._open("a successful login (failures not reset)", exc)
            return None

    def reset_attempts(self, **kwargs) -> int:
        try:
            return super().reset_attempts(**kwargs)
        except (RedisError, _CacheUnavailable) as exc:
            self._open("a reset", exc)
            return 0
