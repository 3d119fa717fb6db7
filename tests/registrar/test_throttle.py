# ruff: noqa: F811 (the fixtures imported from throttle_support are test parameters)
"""registrar/throttle.py behaves the same on its two stores — the FailedAttempt table (no
REDIS_URL) and Redis — (each test runs on both: ``backend``), and with Redis down it refuses
(ThrottleUnavailable, a warning in the log) rather than counting nothing
(docs/decisions/0020-rate-limits-in-redis.md)."""

import datetime
import logging
import time

import pytest
from django.utils import timezone

from registrar import throttle
from registrar.models import FailedAttempt
from tests.registrar.throttle_support import (  # noqa: F401 (fixtures)
    age_failures,
    backend,
    fresh_pools,
    redis_backend,
    redis_down,
    stored_failures,
)

pytestmark = pytest.mark.django_db
DOOR = "test-door"
HOUR = datetime.timedelta(hours=1)
WINDOW = datetime.timedelta(minutes=15)


def fail(client, target, *, door=DOOR, keep=HOUR):
    throttle.failed_attempt_record(door=door, client=client, target=target, keep=keep)


def since(window=WINDOW):
    return timezone.now() - window


def test_failures_are_counted_per_client_per_target_and_per_pair(backend):
    fail("198.51.100.1", "7001")
    fail("198.51.100.1", "7001")
    fail("198.51.100.1", "7002")
    fail("198.51.100.2", "7001")
    fail("198.51.100.1", "7001", door="other-door")
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 3
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.2", since=since()) == 1
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.3", since=since()) == 0
    assert throttle.target_failure_count(door=DOOR, target="7001", since=since()) == 3
    assert throttle.target_failure_count(door=DOOR, target="7003", since=since()) == 0
    pair = throttle.client_target_failure_times(
        door=DOOR, client="198.51.100.1", target="7001", since=since()
    )
    assert len(pair) == 2 and pair[0] >= pair[1]
    assert all(abs(timezone.now() - moment) < datetime.timedelta(seconds=30) for moment in pair)
    everyone = throttle.target_failure_times(door=DOOR, target="7001", since=since())
    assert len(everyone) == 3 and everyone == sorted(everyone, reverse=True)
    assert len(throttle.target_failure_times(door=DOOR, target="7001", since=since(), limit=2)) == 2
    # Two targets for the client, the latest failure of each, latest first.
    targets = throttle.recent_targets(door=DOOR, client="198.51.100.1", since=since())
    assert len(targets) == 2 and targets[0] >= targets[1]
    assert targets[1] == pair[0]
    assert stored_failures() == 5


def test_the_window_boundary_is_inclusive(backend):
    fail("198.51.100.1", "7001")
    [moment] = throttle.target_failure_times(door=DOOR, target="7001", since=since())
    assert throttle.target_failure_count(door=DOOR, target="7001", since=moment) == 1
    later = moment + datetime.timedelta(microseconds=1)
    assert throttle.target_failure_count(door=DOOR, target="7001", since=later) == 0
    assert (
        throttle.client_target_failure_times(
            door=DOOR, client="198.51.100.1", target="7001", since=later
        )
        == []
    )


def test_failures_leave_the_window_as_they_age(backend):
    fail("198.51.100.1", "7001")
    age_failures(14)
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 1
    age_failures(1.05)
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 0
    assert throttle.recent_targets(door=DOOR, client="198.51.100.1", since=since()) == []
    # Still within the longer window.
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since(HOUR)) == 1


def test_failures_older_than_keep_are_forgotten_as_new_ones_are_written(backend):
    fail("198.51.100.1", "7001")
    age_failures(61)
    fail("198.51.100.1", "7001")
    long_ago = since(datetime.timedelta(days=1))
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=long_ago) == 1
    assert throttle.target_failure_count(door=DOOR, target="7001", since=long_ago) == 1
    assert stored_failures() == 1


def test_clearing_forgets_the_pair_only(backend):
    for _ in range(3):
        fail("198.51.100.1", "7001")
    fail("198.51.100.1", "7002")
    fail("198.51.100.2", "7001")
    throttle.failed_attempts_clear(door=DOOR, client="198.51.100.1", target="7001")
    assert (
        throttle.client_target_failure_times(
            door=DOOR, client="198.51.100.1", target="7001", since=since()
        )
        == []
    )
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 1
    assert throttle.target_failure_count(door=DOOR, target="7001", since=since()) == 1
    assert len(throttle.recent_targets(door=DOOR, client="198.51.100.1", since=since())) == 1
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.2", since=since()) == 1
    # Clearing what does not exist is harmless.
    throttle.failed_attempts_clear(door=DOOR, client="203.0.113.9", target="nothing")
    assert stored_failures() == 2


def test_clients_and_targets_are_cut_to_their_columns_and_never_confused(backend):
    long_client = "2001:db8::" + "f" * 100
    fail(long_client, "x" * 300)
    cut_client = long_client[: throttle.CLIENT_MAX_LENGTH]
    cut_target = "x" * throttle.TARGET_MAX_LENGTH
    assert throttle.client_failure_count(door=DOOR, client=cut_client, since=since()) == 1
    assert throttle.target_failure_count(door=DOOR, target=cut_target, since=since()) == 1
    # An unknown client (None) is the empty address, as in the table.
    fail(None, "7001")
    assert throttle.client_failure_count(door=DOOR, client="", since=since()) == 1
    # Colons in addresses and targets do not make two pairs one.
    fail("2001:db8::1", "a:b")
    assert (
        throttle.client_target_failure_times(
            door=DOOR, client="2001:db8::1:a", target="b", since=since()
        )
        == []
    )
    assert (
        len(
            throttle.client_target_failure_times(
                door=DOOR, client="2001:db8::1", target="a:b", since=since()
            )
        )
        == 1
    )


def test_redis_writes_no_row_and_its_keys_expire(redis_backend):
    import redis as redis_library
    from django.conf import settings

    fail("198.51.100.1", "7001", keep=datetime.timedelta(milliseconds=400))
    assert not FailedAttempt.objects.exists()
    raw = redis_library.Redis.from_url(settings.REDIS_URL)
    keys = list(raw.scan_iter(match=f"{redis_backend}:throttle:{DOOR}:*"))
    assert len(keys) == 4  # per client, per target, per pair, the client's targets
    assert all(0 < raw.pttl(key) <= 400 for key in keys)
    time.sleep(0.6)
    assert not any(raw.exists(key) for key in keys)
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 0
    raw.close()


def test_the_counts_hold_across_servers(redis_backend):
    """Two app servers: failures written through one connection pool are read through
    another (the pools are closed and a new one opened in between)."""
    from django_redis import get_redis_connection

    first = get_redis_connection("default")
    first_pool = first.connection_pool
    for _ in range(4):
        fail("198.51.100.1", "7001")
    fresh_pools()
    second = get_redis_connection("default")
    assert second.connection_pool is not first_pool
    assert throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()) == 4
    throttle.failed_attempts_clear(door=DOOR, client="198.51.100.1", target="7001")
    fresh_pools()
    assert throttle.target_failure_count(door=DOOR, target="7001", since=since()) == 0


def test_redis_down_refuses_and_warns(redis_down, caplog):
    calls = [
        lambda: fail("198.51.100.1", "7001"),
        lambda: throttle.client_failure_count(door=DOOR, client="198.51.100.1", since=since()),
        lambda: throttle.target_failure_count(door=DOOR, target="7001", since=since()),
        lambda: throttle.target_failure_times(door=DOOR, target="7001", since=since()),
        lambda: throttle.client_target_failure_times(
            door=DOOR, client="198.51.100.1", target="7001", since=since()
        ),
        lambda: throttle.recent_targets(door=DOOR, client="198.51.100.1", since=since()),
        lambda: throttle.failed_attempts_clear(door=DOOR, client="198.51.100.1", target="7001"),
    ]
    for call in calls:
        caplog.clear()
        started = time.monotonic()
        with (
            caplog.at_level(logging.WARNING, logger="registrar.throttle"),
            pytest.raises(throttle.ThrottleUnavailable) as refused,
        ):
            call()
        assert time.monotonic() - started < 3
        assert refused.value.message == (
            "Le service est momentanément indisponible. Réessayez dans quelques minutes."
        )
        assert any(
            "Rate limits unavailable" in record.getMessage() and DOOR in record.getMessage()
            for record in caplog.records
        )
    # Nothing fell back to the table: its counts are not shared by the other servers.
    assert not FailedAttempt.objects.exists()


def test_a_count_needs_its_door(backend):
    fail("198.51.100.1", "7001", door="door-a")
    assert throttle.client_failure_count(door="door-b", client="198.51.100.1", since=since()) == 0
    assert throttle.target_failure_count(door="door-a", target="7001", since=since()) == 1
