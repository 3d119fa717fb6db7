# ruff: noqa: F811 (the fixtures imported from throttle_support are test parameters)
"""The staff login lockout in Redis (registrar/login_lockout.py, django-axes' cache handler):
it holds across two app servers while Redis answers, and when Redis is down the login FAILS
OPEN — a wrong password is the usual error, the right one logs in, never a 500
(docs/decisions/0020-rate-limits-in-redis.md). axes' own cache handler answered 500 there."""

import html
import logging
from contextlib import contextmanager

import pytest
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse

from tests.registrar.throttle_support import (  # noqa: F401 (fixtures)
    REDIS_DOWN_URL,
    fresh_pools,
    redis_backend,
    redis_store,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registrar_staff")]
HANDLER = "registrar.login_lockout.SharedCacheLockoutHandler"
WRONG = "Saisissez un nom d’utilisateur et un mot de passe valides"
LOCKED = "Compte temporairement bloqué"


@contextmanager
def axes_on(handler: str = HANDLER):
    """axes on, with ``handler`` (axes memoizes its handler: forgotten before and after)."""
    AxesProxyHandler.implementation = None
    try:
        with override_settings(AXES_ENABLED=True, AXES_HANDLER=handler, AXES_CACHE="default"):
            yield
    finally:
        AxesProxyHandler.implementation = None


def login(client: Client, password: str):
    return client.post(reverse("login"), {"username": "registrar_staff", "password": password})


def test_redis_down_the_login_fails_open(caplog):
    client = Client(REMOTE_ADDR="203.0.113.5")
    client.raise_request_exception = False
    with redis_store(REDIS_DOWN_URL), axes_on(), caplog.at_level(logging.WARNING):
        for _ in range(7):  # more than AXES_FAILURE_LIMIT (5)
            response = login(client, "wrong")
            assert response.status_code == 200
            assert WRONG in html.unescape(response.content.decode())
        response = login(client, "secret-password")
        assert response.status_code == 302
    assert not AccessAttempt.objects.exists()  # nothing fell back to the table
    assert any("Login lockout unavailable" in record.getMessage() for record in caplog.records)


def test_redis_up_the_lockout_holds_across_two_servers(redis_backend):
    first = Client(REMOTE_ADDR="203.0.113.5")
    with axes_on():
        for _ in range(5):
            login(first, "wrong")
        fresh_pools()  # "the other server"
        second = Client(REMOTE_ADDR="203.0.113.5")
        response = login(second, "secret-password")
        assert response.status_code == 429
        assert LOCKED in html.unescape(response.content.decode())
        # Another address is not locked (the lock is per user name + address).
        assert login(Client(REMOTE_ADDR="203.0.113.6"), "secret-password").status_code == 302
    assert not AccessAttempt.objects.exists()  # counted in Redis, not in the table
