"""Benchmark of the guarded doors' counts on their two stores (registrar/throttle.py,
docs/decisions/0020-rate-limits-in-redis.md): the FailedAttempt table on PostgreSQL, and
Redis (database 14 of 127.0.0.1:6379, a key prefix of its own, deleted at the end).

For each store, --repeat times: the invigilator door's check
(certification.services.invigilator_access.invigilator_access_refusal: three counts) and
a failure's write (invigilator_access_failed), from --clients client addresses over
--sessions session numbers, after --warm-ups of each. Prints p50 / p95 / max in
milliseconds and the SQL queries of one check and one write. It prints figures; it never
passes or fails.

    .venv/bin/python bench/throttle_stores.py [--repeat 2000] \
        [--database-url postgres://postgres@127.0.0.1:5432/registrar_bench_throttle]
"""

import argparse
import platform
import statistics
import time
import uuid

from bench_support import ensure_database, percentile, setup_django

REDIS_URL = "redis://127.0.0.1:6379/14"


def _measure(args) -> dict[str, list[float]]:
    from certification.services import invigilator_access

    timings = {"check": [], "write": []}
    total = args.warm_ups + args.repeat
    for n in range(total):
        client = f"198.51.{(n % args.clients) // 250}.{(n % args.clients) % 250 + 1}"
        number = 10_000 + n % args.sessions
        started = time.perf_counter()
        invigilator_access.invigilator_access_refusal(client=client, number=number)
        checked = time.perf_counter()
        invigilator_access.invigilator_access_failed(client=client, number=number)
        written = time.perf_counter()
        if n >= args.warm_ups:
            timings["check"].append((checked - started) * 1000)
            timings["write"].append((written - checked) * 1000)
    return timings


def _queries() -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification.services import invigilator_access

    with CaptureQueriesContext(connection) as check:
        invigilator_access.invigilator_access_refusal(client="203.0.113.1", number=10_001)
    with CaptureQueriesContext(connection) as write:
        invigilator_access.invigilator_access_failed(client="203.0.113.1", number=10_001)
    return len(check.captured_queries), len(write.captured_queries)


def _report(store: str, timings: dict[str, list[float]], queries: tuple[int, int]) -> None:
    for operation, values in timings.items():
        print(
            f"{store:6} {operation:5}  p50 {statistics.median(values):6.2f} ms  "
            f"p95 {percentile(values, 0.95):6.2f} ms  max {max(values):7.2f} ms  "
            f"SQL {queries[0 if operation == 'check' else 1]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--warm-ups", type=int, default=50)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/registrar_bench_throttle"
    )
    args = parser.parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import override_settings

    from registrar.models import FailedAttempt

    call_command("migrate", verbosity=0)
    FailedAttempt.objects.all().delete()
    print(f"{platform.node()} · Python {platform.python_version()} · repeat {args.repeat}")

    table = _measure(args)
    _report("table", table, _queries())
    print(f"       rows kept: {FailedAttempt.objects.count()}")
    FailedAttempt.objects.all().delete()

    import redis

    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    raw = redis.Redis.from_url(REDIS_URL)
    try:
        with override_settings(REDIS_URL=REDIS_URL, CACHES=caches):
            in_redis = _measure(args)
            _report("redis", in_redis, _queries())
            keys = list(raw.scan_iter(match=f"{prefix}:*", count=1000))
            print(f"       keys kept: {len(keys)}")
    finally:
        keys = list(raw.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            raw.delete(*keys)


if __name__ == "__main__":
    main()
