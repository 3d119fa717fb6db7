"""The invigilator space's lockout is keyed per session AND per client: behind the reverse
proxy every invigilator used to share one address, so five wrong tries locked a session's
door for everyone on exam day, and nothing limited trying session number after session
number. Now a stranger slows only itself, a client trying many session numbers is refused,
and a session's door closes only after far more failures than one person makes."""

import datetime
import html
import re
import zoneinfo

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from certification.services import invigilator_access
from certification.services.invigilator_access import (
    CLIENT_SESSIONS_LIMIT,
    FREE_FAILURES,
    SESSION_LIMIT,
    wait_after,
)
from registrar.models import FailedAttempt
from registrar.network import trusted_proxy_networks
from tests.factories import CertificationSessionFactory

pytestmark = pytest.mark.django_db
PASSWORD = "surv-2024"
PROXY = "127.0.0.1"
SPACE_TITLE = "Espace surveillant — Session"
# Another day (the wait crosses midnight, centre time) is written « 30/11/2026 à 00 h 05 ».
RETRY = re.compile(
    r"réessayez à partir de (?:\d\d/\d\d/\d{4} à )?(\d\d)\s+h\s+(\d\d)", re.IGNORECASE
)


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
    """A browser at ``address``, reaching us through the reverse proxy (as in production)."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def _try(client: Client, number, password: str) -> str:
    response = client.post(
        reverse("certification:invigilator_login"),
        {"number": number, "password": password},
        follow=True,
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _age_failures(minutes: int) -> None:
    """As if every failure so far happened ``minutes`` earlier."""
    for attempt in FailedAttempt.objects.all():
        attempt.at -= datetime.timedelta(minutes=minutes)
        attempt.save()


def test_a_stranger_failing_does_not_lock_out_the_invigilator(today_session):
    stranger = _client("198.51.100.7")
    for _ in range(FREE_FAILURES):
        assert "mot de passe surveillant incorrect" in _try(stranger, today_session.number, "x")
    invigilator = _client("203.0.113.20")
    page = _try(invigilator, today_session.number, PASSWORD)
    assert f"{SPACE_TITLE} {today_session.number}" in page
    assert "certification.invigilator_session" in invigilator.session


def test_the_client_that_failed_waits_longer_and_longer(today_session):
    stranger = _client("198.51.100.7")
    for _ in range(FREE_FAILURES):
        _try(stranger, today_session.number, "x")
    # Even the right password waits: the password is not compared during the wait.
    page = _try(stranger, today_session.number, PASSWORD)
    assert "Trop d'essais depuis ce poste pour cette session : réessayez à partir de" in page
    assert SPACE_TITLE not in page
    shown = RETRY.search(page)
    expected = timezone.localtime(timezone.now() + wait_after(FREE_FAILURES))
    assert shown and (int(shown[1]), int(shown[2])) in {
        (expected.hour, expected.minute),
        (
            (expected + datetime.timedelta(minutes=1)).hour,
            (expected + datetime.timedelta(minutes=1)).minute,
        ),
    }
    # Once the wait is over, another failure doubles the next wait.
    _age_failures(2)
    assert "mot de passe surveillant incorrect" in _try(stranger, today_session.number, "x")
    assert "réessayez à partir de" in _try(stranger, today_session.number, PASSWORD)
    assert wait_after(FREE_FAILURES + 1) == 2 * wait_after(FREE_FAILURES)
    _age_failures(3)
    assert SPACE_TITLE in _try(stranger, today_session.number, PASSWORD)
    # Getting in forgets the client's failures on that session.
    assert not FailedAttempt.objects.exists()


def test_the_waits_grow_to_a_ceiling():
    assert [wait_after(n).total_seconds() / 60 for n in range(1, 12)] == [
        0,
        0,
        0,
        0,
        1,
        2,
        4,
        8,
        16,
        30,
        30,
    ]


def test_a_client_trying_many_session_numbers_is_refused(today_session):
    prober = _client("198.51.100.9")
    first = today_session.number + 1000
    pages = [_try(prober, number, "x") for number in range(first, first + 30)]
    wrong = "N° de session ou mot de passe surveillant incorrect."
    assert all(wrong in page for page in pages[:CLIENT_SESSIONS_LIMIT])
    for page in pages[CLIENT_SESSIONS_LIMIT:]:
        assert "Trop de numéros de session essayés depuis ce poste : réessayez à partir de" in page
        assert wrong not in page
    # Refused tries are not counted, and the prober cannot open a real session either.
    assert FailedAttempt.objects.count() == CLIENT_SESSIONS_LIMIT
    assert "Trop de numéros de session" in _try(prober, today_session.number, PASSWORD)
    # Another client is not concerned.
    assert SPACE_TITLE in _try(_client("203.0.113.20"), today_session.number, PASSWORD)
    # An hour later the prober may try again.
    _age_failures(61)
    assert SPACE_TITLE in _try(prober, today_session.number, PASSWORD)


def test_many_addresses_failing_close_the_session_for_a_while(today_session):
    for n in range(SESSION_LIMIT):
        invigilator_access.invigilator_access_failed(
            client=f"198.51.100.{n + 1}", number=today_session.number
        )
    page = _try(_client("203.0.113.20"), today_session.number, PASSWORD)
    assert "Trop d'essais ont échoué pour cette session : son espace surveillant est fermé" in page
    assert "prévenez le personnel du centre" in page
    assert RETRY.search(page)
    # Another session is not concerned; and the door reopens as the failures age.
    other = CertificationSessionFactory(
        center=today_session.center, date=today_session.date, invigilator_password="autre-1"
    )
    assert SPACE_TITLE in _try(_client("203.0.113.21"), other.number, "autre-1")
    _age_failures(16)
    assert SPACE_TITLE in _try(_client("203.0.113.20"), today_session.number, PASSWORD)


def test_a_forged_forwarded_header_does_not_escape_the_lockout(today_session):
    """Only the trusted proxy's X-Forwarded-For is believed: a client reaching us directly
    cannot change its address by sending the header itself."""
    for n in range(FREE_FAILURES):
        direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
        _try(direct, today_session.number, "x")
    assert set(FailedAttempt.objects.values_list("client", flat=True)) == {"198.51.100.7"}
    direct = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert "réessayez à partir de" in _try(direct, today_session.number, PASSWORD)


def test_old_failures_are_purged_as_new_ones_are_written(today_session):
    invigilator_access.invigilator_access_failed(client="198.51.100.1", number=1)
    _age_failures(61)
    invigilator_access.invigilator_access_failed(client="198.51.100.1", number=2)
    assert list(FailedAttempt.objects.values_list("target", flat=True)) == ["2"]


def test_many_failures_on_few_sessions_are_not_many_session_numbers():
    for _ in range(CLIENT_SESSIONS_LIMIT + 5):
        for number in (7001, 7002):
            invigilator_access.invigilator_access_failed(client="198.51.100.3", number=number)
    _age_failures(20)  # within the 30-minute wait on those sessions
    assert invigilator_access.invigilator_access_refusal(client="198.51.100.3", number=7003) is None
    refusal = invigilator_access.invigilator_access_refusal(client="198.51.100.3", number=7001)
    assert refusal is not None and "pour cette session" in refusal.message
