"""Failed attempts at a guarded door, counted per client, per target and per client+target
over time windows, the same for every server process. A door's policy (how many failures,
how long a wait) lives with the door, e.g. certification/services/invigilator_access.py,
registrar/public_links.py, admissions_sync/services/links.py; here are the writes and the
counts.

Two stores behind these functions (docs/decisions/0020-rate-limits-in-redis.md):

- **Redis** when ``settings.REDIS_URL`` is set (several app servers): each key is a sorted
  set of failure times (per client, per target, per client+target, and the targets a client
  failed at), written in one MULTI transaction, trimmed to the window and given an expiry,
  through django-redis's connection (the cache's server, timeouts and key prefix);
- **the FailedAttempt table** otherwise (development, tests, one server;
  docs/decisions/0006-invigilator-lockout.md).

When Redis cannot be reached, every function raises ``ThrottleUnavailable`` (and logs a
warning): the public doors then refuse everyone with UNAVAILABLE rather than let guesses
through uncounted (they fail closed).
"""

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrar.models import FailedAttempt

logger = logging.getLogger(__name__)

# What is stored of a target (request text, e.g. a session number) and of a client address.
TARGET_MAX_LENGTH = FailedAttempt._meta.get_field("target").max_length
CLIENT_MAX_LENGTH = FailedAttempt._meta.get_field("client").max_length

# What a public door answers while its counts cannot be read (Redis down).
UNAVAILABLE = _("Le service est momentanément indisponible. Réessayez dans quelques minutes.")


class ThrottleUnavailable(Exception):
    """The shared store of the counts (Redis) does not answer: the door must refuse."""

    @property
    def message(self) -> str:
        return str(UNAVAILABLE)


def _bounded(text: str | None, limit: int) -> str:
    return (text or "")[:limit]


def _redis_enabled() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


# ---------------------------------------------------------------------------------------
# Redis


@dataclass(frozen=True)
class _Keys:
    """The sorted sets of one door. ``client``, ``target`` and ``pair`` hold one member per
    failure (a unique id, scored by its time); ``targets`` holds the targets the client
    failed at, each scored by its last failure."""

    client: str
    target: str
    pair: str
    targets: str


def _prefix(door: str) -> str:
    cache_prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX", "") or "registrar"
    return f"{cache_prefix}:throttle:{door}"


def _keys(door: str, client: str | None, target: str | None) -> _Keys:
    client = _bounded(client, CLIENT_MAX_LENGTH)
    target = _bounded(target, TARGET_MAX_LENGTH)
    prefix = _prefix(door)
    # The client's length first: an IPv6 address has colons, a target may too.
    return _Keys(
        client=f"{prefix}:c:{client}",
        target=f"{prefix}:t:{target}",
        pair=f"{prefix}:p:{len(client)}:{client}:{target}",
        targets=f"{prefix}:ct:{client}",
    )


def _connection():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _unavailable(exc: Exception, door: str) -> ThrottleUnavailable:
    logger.warning(
        "Rate limits unavailable (Redis): door %s refuses everyone until it answers: %s",
        door,
        exc,
    )
    return ThrottleUnavailable(str(exc))


def _run(door: str, work):
    """``work(connection)``, with Redis's failures turned into ThrottleUnavailable."""
    from redis.exceptions import RedisError

    try:
        return work(_connection())
    except RedisError as exc:
        raise _unavailable(exc, door) from exc


def _score(moment: datetime) -> float:
    return moment.timestamp()


def _moment(score: float) -> datetime:
    return datetime.fromtimestamp(score, tz=UTC)


# Forget a client's failures at a target: the pair's members leave the client's and the
# target's sets too, and the target leaves the client's targets — in one step, as the
# table's DELETE does.
_CLEAR_SCRIPT = """
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
for start = 1, #members, 500 do
  local chunk = {unpack(members, start, math.min(start + 499, #members))}
  redis.call('ZREM', KEYS[2], unpack(chunk))
  redis.call('ZREM', KEYS[3], unpack(chunk))
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('DEL', KEYS[1])
return #members
"""


def _redis_times(key: str, door: str, since: datetime, limit: int | None) -> list[datetime]:
    def work(redis):
        if limit is None:
            found = redis.zrevrangebyscore(key, "+inf", _score(since), withscores=True)
        else:
            found = redis.zrevrangebyscore(
                key, "+inf", _score(since), start=0, num=limit, withscores=True
            )
        return [_moment(score) for _member, score in found]

    return _run(door, work)


# ---------------------------------------------------------------------------------------
# The counts


def _failures(door: str, client: str | None, target: str | None, *, by: str, since: datetime):
    """The table's failures of the door from ``since`` on, of the client, at the target or
    both (``by``: "client", "target", "pair")."""
    rows = FailedAttempt.objects.filter(door=door, at__gte=since)
    if by in ("client", "pair"):
        rows = rows.filter(client=_bounded(client, CLIENT_MAX_LENGTH))
    if by in ("target", "pair"):
        rows = rows.filter(target=_bounded(target, TARGET_MAX_LENGTH))
    return rows


def _key(door: str, client: str | None, target: str | None, by: str) -> str:
    return getattr(_keys(door, client, target), by)


def _times(door, client, target, *, by: str, since: datetime, limit: int | None):
    if _redis_enabled():
        return _redis_times(_key(door, client, target, by), door, since, limit)
    times = _failures(door, client, target, by=by, since=since)
    times = times.order_by("-at").values_list("at", flat=True)
    return list(times[:limit] if limit is not None else times)


def _count(door, client, target, *, by: str, since: datetime) -> int:
    if _redis_enabled():
        key = _key(door, client, target, by)
        return _run(door, lambda redis: redis.zcount(key, _score(since), "+inf"))
    return _failures(door, client, target, by=by, since=since).count()


def client_failure_count(*, door: str, client: str | None, since: datetime) -> int:
    """How many failures this client had at the door (any target) from ``since`` on."""
    return _count(door, client, None, by="client", since=since)


def target_failure_count(*, door: str, target: str, since: datetime) -> int:
    """How many failures everyone had at this target of the door from ``since`` on."""
    return _count(door, None, target, by="target", since=since)


def target_failure_times(
    *, door: str, target: str, since: datetime, limit: int | None = None
) -> list[datetime]:
    """When everyone failed at this target from ``since`` on, latest first (at most
    ``limit``)."""
    return _times(door, None, target, by="target", since=since, limit=limit)


def client_target_failure_times(
    *, door: str, client: str | None, target: str, since: datetime
) -> list[datetime]:
    """When this client failed at this target from ``since`` on, latest first."""
    return _times(door, client, target, by="pair", since=since, limit=None)


def recent_targets(*, door: str, client: str | None, since: datetime) -> list[datetime]:
    """For each target this client failed at since ``since``: its last failure, latest first."""
    if _redis_enabled():
        key = _keys(door, client, None).targets
        return _redis_times(key, door, since, None)
    return list(
        FailedAttempt.objects.filter(
            door=door, at__gte=since, client=_bounded(client, CLIENT_MAX_LENGTH)
        )
        .values("target")
        .annotate(last=Max("at"))
        .order_by("-last")
        .values_list("last", flat=True)
    )


# ---------------------------------------------------------------------------------------
# The writes


def failed_attempt_record(*, door: str, client: str | None, target: str, keep: timedelta) -> None:
    """Write one failure (client and target cut to their columns), and forget the door's
    failures older than ``keep`` (the longest window its policy reads), so the store holds
    at most a window's worth. Redis: one MULTI transaction adds the failure to the client's,
    the target's and the pair's sets and the target to the client's targets, trims those
    sets to ``keep`` and sets their expiry to ``keep``. The table: one row, and the door's
    older rows deleted."""
    now = timezone.now()
    if _redis_enabled():
        keys = _keys(door, client, target)
        score = _score(now)
        oldest = f"({_score(now - keep)}"
        expiry_ms = max(1, math.ceil(keep.total_seconds() * 1000))
        member = f"{score:.6f}:{secrets.token_hex(6)}"

        def work(redis):
            pipe = redis.pipeline(transaction=True)
            for key in (keys.client, keys.target, keys.pair):
                pipe.zadd(key, {member: score})
            pipe.zadd(keys.targets, {_bounded(target, TARGET_MAX_LENGTH): score})
            for key in (keys.client, keys.target, keys.pair, keys.targets):
                pipe.zremrangebyscore(key, "-inf", oldest)
                pipe.pexpire(key, expiry_ms)
            pipe.execute()

        _run(door, work)
        return
    FailedAttempt.objects.create(
        door=door,
        client=_bounded(client, CLIENT_MAX_LENGTH),
        target=_bounded(target, TARGET_MAX_LENGTH),
        at=now,
    )
    FailedAttempt.objects.filter(door=door, at__lt=now - keep).delete()


def failed_attempts_clear(*, door: str, client: str | None, target: str) -> None:
    """Forget this client's failures at this target (it got in: its typos are behind it).
    Other clients' failures, and this client's at other targets, are kept."""
    if _redis_enabled():
        keys = _keys(door, client, target)

        def work(redis):
            redis.eval(
                _CLEAR_SCRIPT,
                4,
                keys.pair,
                keys.client,
                keys.target,
                keys.targets,
                _bounded(target, TARGET_MAX_LENGTH),
            )

        _run(door, work)
        return
    FailedAttempt.objects.filter(
        door=door,
        client=_bounded(client, CLIENT_MAX_LENGTH),
        target=_bounded(target, TARGET_MAX_LENGTH),
    ).delete()
