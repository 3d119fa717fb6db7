# ruff: noqa: F811 (the fixtures imported from throttle_support are test parameters)
"""The applicants' doors on both stores of registrar/throttle.py: « Recevoir mon lien »'s
limits and the personal links' lockout (registrar/public_links.py) hold in Redis across two
app servers; with Redis down, the personal link, the applicant's pages and « Recevoir mon
lien » refuse with « Le service est momentanément indisponible » (a 503, never a 500),
sending nothing and keeping the visitor's token (docs/decisions/0020-rate-limits-in-redis.md)."""

import datetime
import html

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from admissions_sync.models import LinkSending
from admissions_sync.services import links
from registrar import public_links
from registrar.models import FailedAttempt, PublicLink
from registrar.public_links import issue_link
from tests.admissions_sync.prereg_support import URL
from tests.admissions_sync.support import imported_applicants, open_applicant_session
from tests.factories import FormationFactory
from tests.registrar.throttle_support import (  # noqa: F401 (fixtures)
    REDIS_DOWN_URL,
    backend,
    fresh_pools,
    redis_backend,
    redis_store,
    stored_failures,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]
REQUEST = f"{URL}recevoir-mon-lien/"
UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques minutes."
DAY = datetime.timedelta(days=1)


@pytest.fixture
def applicants():
    return imported_applicants(FormationFactory(code="7001", label="BTS SIO"), 3)


def ask(applicant, *, email=None, number=None, address="203.0.113.7"):
    return links.link_request(
        RequestFactory().get("/", REMOTE_ADDR=address),
        number=number or applicant.candidate_number,
        birth_date=applicant.birth_date,
        email=email if email is not None else applicant.email,
    )


def form_of(applicant) -> dict:
    return {
        "number": applicant.candidate_number,
        "birth_date": applicant.birth_date.strftime("%d/%m/%Y"),
        "email": applicant.email,
    }


# --- the same limits on both stores ----------------------------------------------------


def test_requests_are_limited_per_number_and_per_client(backend, applicants):
    applicant = applicants[0]
    for n in range(links.REQUESTS_PER_TARGET):
        assert not ask(applicant, email=f"x{n}@example.org", address=f"203.0.113.{n + 1}")
    assert not ask(applicant, address="203.0.113.99")
    assert not mail.outbox
    # Another applicant, from a client that asked 3 times of its 20: sent.
    assert ask(applicants[1], address="203.0.113.1")
    assert len(mail.outbox) == 1
    # Two records (address, number) per request counted; the refused one wrote none.
    assert stored_failures() == 2 * (links.REQUESTS_PER_TARGET + 1)


def test_a_guessing_client_is_locked_out_of_the_links(backend, applicants):
    _link, token = issue_link(actor=None, purpose=links.PURPOSE, target=applicants[0], ttl=DAY)
    guesser = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(public_links.FAILURES_LIMIT):
        response = guesser.get(f"{URL}lien/{n:016d}{'A' * 43}/")
        assert response.status_code == 302 and response["Location"] == REQUEST
    response = guesser.get(f"{URL}lien/{token}/")
    assert response["Location"] == REQUEST
    assert links.SESSION_KEY not in guesser.session
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.get(f"{URL}lien/{token}/")["Location"] == URL


def test_the_limits_hold_across_two_app_servers(redis_backend, applicants):
    applicant = applicants[0]
    for n in range(links.REQUESTS_PER_TARGET):
        ask(applicant, email=f"x{n}@example.org", address=f"203.0.113.{n + 1}")
    assert not FailedAttempt.objects.exists()
    fresh_pools()  # "another server"
    assert not ask(applicant, address="203.0.113.99")
    for n in range(public_links.FAILURES_LIMIT):
        with pytest.raises(public_links.LinkRefused):
            links.applicant_for_token(
                RequestFactory().get("/", REMOTE_ADDR="198.51.100.66"), f"{n:016d}{'A' * 43}"
            )
    fresh_pools()
    _link, token = issue_link(actor=None, purpose=links.PURPOSE, target=applicant, ttl=DAY)
    with pytest.raises(public_links.LinkRefused) as refused:
        links.applicant_for_token(RequestFactory().get("/", REMOTE_ADDR="198.51.100.66"), token)
    assert refused.value.reason == "locked"


# --- Redis down: fail closed -----------------------------------------------------------


def test_redis_down_recevoir_mon_lien_sends_nothing(client, applicants):
    applicant = applicants[0]
    assert client.get(REQUEST).status_code == 200
    with redis_store(REDIS_DOWN_URL):
        response = client.post(REQUEST, form_of(applicant))
    assert response.status_code == 503
    page = html.unescape(response.content.decode())
    assert UNAVAILABLE in page
    assert "un lien vient d'être envoyé" not in page
    # The form keeps what was typed.
    assert applicant.email in page
    assert not mail.outbox and not LinkSending.objects.exists()
    assert not FailedAttempt.objects.exists()
    # Redis back: the same request is sent.
    response = client.post(REQUEST, form_of(applicant))
    assert response.status_code == 200 and len(mail.outbox) == 1


def test_redis_down_the_link_refuses_and_is_not_spent(client, applicants):
    link, token = issue_link(actor=None, purpose=links.PURPOSE, target=applicants[0], ttl=DAY)
    with redis_store(REDIS_DOWN_URL):
        response = client.get(f"{URL}lien/{token}/")
    assert response.status_code == 503
    assert UNAVAILABLE in html.unescape(response.content.decode())
    assert links.SESSION_KEY not in client.session
    link.refresh_from_db()
    assert link.use_count == 0 and link.revoked_at is None
    assert client.get(f"{URL}lien/{token}/")["Location"] == URL


def test_redis_down_the_applicant_pages_refuse_and_keep_the_token(client, applicants):
    applicant = applicants[0]
    token = open_applicant_session(client, applicant)
    with redis_store(REDIS_DOWN_URL):
        response = client.get(URL)
        assert response.status_code == 503
        page = html.unescape(response.content.decode())
        assert UNAVAILABLE in page and applicant.first_name not in page
        assert client.session[links.SESSION_KEY] == token
    assert PublicLink.objects.get().use_count == 1  # the opening only
    page = client.get(URL)
    assert page.status_code == 200 and applicant.first_name in page.content.decode()
