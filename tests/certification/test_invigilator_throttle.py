# ruff: noqa: F811 (the fixtures imported from throttle_support are test parameters)
"""The invigilator space's lockout on both stores of registrar/throttle.py (the table, and
Redis when REDIS_URL is set): the same waits and refusals, holding across two app servers;
and with Redis down the door and the space refuse with « Le service est momentanément
indisponible » (a 503, never a 500), comparing no password and keeping the visitor's link
(docs/decisions/0020-rate-limits-in-redis.md)."""

import html
import zoneinfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from certification.models import Candidate
from certification.services import invigilator_access
from certification.services.invigilator_access import (
    CLIENT_SESSIONS_LIMIT,
    FREE_FAILURES,
    SESSION_LIMIT,
)
from certification.views.invigilator import SESSION_KEY
from registrar.models import FailedAttempt
from registrar.network import trusted_proxy_networks
from tests.factories import CandidateFactory, CertificationSessionFactory
from tests.registrar.throttle_support import (  # noqa: F401 (fixtures)
    REDIS_DOWN_URL,
    age_failures,
    backend,
    fresh_pools,
    redis_backend,
    redis_store,
    stored_failures,
)

pytestmark = pytest.mark.django_db
PASSWORD = "surv-2024"
PROXY = "127.0.0.1"
SPACE_TITLE = "Espace surveillant — Session"
UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques minutes."
WRONG = "N° de session ou mot de passe surveillant incorrect."


@pytest.fixture(autouse=True)
def _behind_the_proxy():
    with override_settings(TRUSTED_PROXY_NETWORKS=trusted_proxy_networks([PROXY])):
        yield


@pytest.fixture
def today_session(sco_center):
    sco_center.time_zone = "America/Montreal"
    sco_center.save()
    today = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo("America/Montreal")).date()
    return CertificationSessionFactory(center=sco_center, date=today, invigilator_password=PASSWORD)


def _client(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def _post(client: Client, number, password: str):
    return client.post(
        reverse("certification:invigilator_login"),
        {"number": number, "password": password},
        follow=True,
    )


def _try(client: Client, number, password: str) -> str:
    response = _post(client, number, password)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- the same policy on both stores ----------------------------------------------------


def test_a_client_waits_after_its_failures_and_getting_in_forgets_them(backend, today_session):
    stranger = _client("198.51.100.7")
    for _ in range(FREE_FAILURES):
        assert WRONG in _try(stranger, today_session.number, "x")
    assert stored_failures() == FREE_FAILURES
    page = _try(stranger, today_session.number, PASSWORD)
    assert "Trop d'essais depuis ce poste pour cette session : réessayez à partir de" in page
    # Another address is not concerned.
    assert SPACE_TITLE in _try(_client("203.0.113.20"), today_session.number, PASSWORD)
    age_failures(2)
    assert SPACE_TITLE in _try(stranger, today_session.number, PASSWORD)
    assert stored_failures() == 0


def test_a_client_trying_many_session_numbers_is_refused(backend, today_session):
    prober = _client("198.51.100.9")
    first = today_session.number + 1000
    for number in range(first, first + CLIENT_SESSIONS_LIMIT):
        assert WRONG in _try(prober, number, "x")
    page = _try(prober, today_session.number, PASSWORD)
    assert "Trop de numéros de session essayés depuis ce poste" in page
    assert stored_failures() == CLIENT_SESSIONS_LIMIT
    age_failures(61)
    assert SPACE_TITLE in _try(prober, today_session.number, PASSWORD)


def test_many_addresses_close_the_session_until_their_failures_age(backend, today_session):
    for n in range(SESSION_LIMIT):
        invigilator_access.invigilator_access_failed(
            client=f"198.51.100.{n + 1}", number=today_session.number
        )
    page = _try(_client("203.0.113.20"), today_session.number, PASSWORD)
    assert "son espace surveillant est fermé" in page
    age_failures(16)
    assert SPACE_TITLE in _try(_client("203.0.113.20"), today_session.number, PASSWORD)


def test_the_lockout_holds_across_two_app_servers(redis_backend, today_session):
    stranger = _client("198.51.100.7")
    for _ in range(FREE_FAILURES):
        assert WRONG in _try(stranger, today_session.number, "x")
    assert not FailedAttempt.objects.exists()  # in Redis, not in one server's table
    fresh_pools()  # the next request is served by "another server"
    page = _try(stranger, today_session.number, PASSWORD)
    assert "Trop d'essais depuis ce poste pour cette session" in page
    assert SESSION_KEY not in stranger.session


# --- Redis down: fail closed -----------------------------------------------------------


def test_redis_down_the_door_refuses_without_comparing_the_password(today_session):
    with redis_store(REDIS_DOWN_URL):
        invigilator = _client("203.0.113.20")
        assert invigilator.get(reverse("certification:invigilator_login")).status_code == 200
        for password in (PASSWORD, "wrong"):
            response = _post(invigilator, today_session.number, password)
            assert response.status_code == 503
            page = html.unescape(response.content.decode())
            assert UNAVAILABLE in page
            assert WRONG not in page and SPACE_TITLE not in page
            assert SESSION_KEY not in invigilator.session
        assert not FailedAttempt.objects.exists()
    # Redis back: the door opens.
    assert SPACE_TITLE in _try(invigilator, today_session.number, PASSWORD)


def test_redis_down_the_space_refuses_and_keeps_the_link(today_session):
    candidate = CandidateFactory(session=today_session)
    invigilator = _client("203.0.113.20")
    assert SPACE_TITLE in _try(invigilator, today_session.number, PASSWORD)
    token = invigilator.session[SESSION_KEY]
    space = reverse("certification:invigilator_space")
    check_in = reverse("certification:invigilator_check_in", args=[candidate.pk])
    with redis_store(REDIS_DOWN_URL):
        for response in (
            invigilator.get(space),
            invigilator.post(check_in, {"confirmed": "1"}),
            invigilator.get(reverse("certification:invigilator_link", args=[token])),
        ):
            assert response.status_code == 503
            assert response["Retry-After"] == "60"
            page = html.unescape(response.content.decode())
            assert UNAVAILABLE in page and "Rien n'a été enregistré." in page
            assert candidate.last_name not in page
        assert invigilator.session[SESSION_KEY] == token
        assert not Candidate.objects.filter(pk=candidate.pk, checked_in_at__isnull=False).exists()
    page = html.unescape(invigilator.get(space).content.decode())
    assert f"{SPACE_TITLE} {today_session.number}" in page and candidate.last_name in page


def test_redis_down_staff_pages_are_served(client, centre_staff, sco_center):
    """Staff pages are not limited by registrar/throttle.py: the cache falls back
    (IGNORE_EXCEPTIONS) and the page is served."""
    session = CertificationSessionFactory(center=sco_center)
    client.force_login(centre_staff)
    with redis_store(REDIS_DOWN_URL):
        response = client.get(reverse("certification:session_list"))
    assert response.status_code == 200
    assert str(session.number) in response.content.decode()
