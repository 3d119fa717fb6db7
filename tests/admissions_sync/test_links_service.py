"""The personal links' services (admissions_sync/services/links.py): link_send,
links_revoke, applicant_for_token, link_request (« Recevoir mon lien »)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from admissions_sync.models import Applicant, LinkSending, RegistrationEvent
from admissions_sync.services import links
from registrar.models import PublicLink, SentEmail
from tests.admissions_sync.support import imported_applicants
from tests.factories import FormationFactory, UserFactory

pytestmark = pytest.mark.django_db
LINK_PATH = "/admissions/preinscription/lien/"


@pytest.fixture(autouse=True)
def _link_route(monkeypatch):
    """The applicants' pages are another helper's; until « preregistration_link » is routed,
    the address is built from its path."""
    try:
        reverse("admissions_sync:preregistration_link", args=["x" * 10])
    except NoReverseMatch:

        def address(token, base_url=None):
            from django.conf import settings

            return (base_url or settings.SITE_URL).rstrip("/") + f"{LINK_PATH}{token}/"

        monkeypatch.setattr(links, "link_address", address)


@pytest.fixture
def applicants():
    return imported_applicants(FormationFactory(code="7001", label="BTS SIO"), 3)


def remove(applicant):
    """As a purge does: removed, by the applicant's last run."""
    Applicant.objects.filter(pk=applicant.pk).update(
        removed_at=timezone.now(), removed_by_id=applicant.first_import_id
    )


def token_of(message) -> str:
    start = message.body.index(LINK_PATH) + len(LINK_PATH)
    return message.body[start:].split("/", 1)[0]


def request(address="203.0.113.7"):
    return RequestFactory().get("/", REMOTE_ADDR=address)


# --- link_send ---------------------------------------------------------------------------


def test_link_send_records_the_email_the_sending_and_the_event(applicants):
    applicant = applicants[0]
    actor = UserFactory()
    sending = links.link_send(
        actor=actor,
        applicant=applicant,
        channel=LinkSending.Channel.DESK,
        base_url="https://inscriptions.example.org/",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert "https://inscriptions.example.org" + LINK_PATH in message.body
    assert sending.email.outcome == SentEmail.Outcome.SENT
    assert sending.email.to == applicant.email
    assert sending.sent_by == actor and sending.channel == "desk"
    assert sending.link.target == applicant and sending.link.revoked_at is None
    event = RegistrationEvent.objects.get(applicant=applicant)
    assert event.kind == RegistrationEvent.Kind.LINK_SENT
    assert event.note == "Renvoyé par la chaîne"
    # The token in the message opens the applicant.
    assert links.applicant_for_token(request(), token_of(message)) == applicant


def test_link_send_refuses_a_removed_applicant_and_writes_nothing(applicants):
    applicant = applicants[0]
    remove(applicant)
    applicant.refresh_from_db()
    with pytest.raises(ValidationError, match="n'est plus dans Parcoursup"):
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    assert not mail.outbox
    assert not PublicLink.objects.exists() and not LinkSending.objects.exists()
    assert not SentEmail.objects.exists()


def test_link_send_refuses_an_applicant_without_an_address(applicants):
    applicant = applicants[0]
    applicant.email = ""
    with pytest.raises(ValidationError, match="adresse électronique"):
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    assert not PublicLink.objects.exists() and not SentEmail.objects.exists()


def test_a_mailer_failure_revokes_the_link_and_records_the_failed_email(applicants, smtp_server):
    smtp_server.stop()
    applicant = applicants[0]
    with pytest.raises(links.EmailNotSent):
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.BULK)
    link = PublicLink.objects.get()
    assert link.revoked_at is not None
    assert SentEmail.objects.get().outcome == SentEmail.Outcome.FAILED
    assert not LinkSending.objects.exists()


def test_links_revoke_withdraws_every_open_link(applicants):
    applicant = applicants[0]
    for _ in range(2):
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    assert links.links_revoke(actor=UserFactory(), applicant=applicant) == 2
    for message in mail.outbox:
        with pytest.raises(links.LinkRefused):
            links.applicant_for_token(request(), token_of(message))
    assert links.links_revoke(actor=None, applicant=applicant) == 0


# --- applicant_for_token -----------------------------------------------------------------


def test_applicant_for_token_counts_the_use(applicants):
    sending = links.link_send(actor=None, applicant=applicants[1], channel=LinkSending.Channel.DESK)
    token = token_of(mail.outbox[0])
    assert links.applicant_for_token(request(), token) == applicants[1]
    assert links.applicant_for_token(request(), token).formation.code == "7001"
    sending.link.refresh_from_db()
    assert sending.link.use_count == 2 and sending.link.last_used_at is not None


def test_expired_revoked_and_tampered_tokens_are_refused_alike(applicants):
    for applicant in applicants:
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    expired, revoked, good = (token_of(message) for message in mail.outbox)
    PublicLink.objects.filter(target_id=applicants[0].pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    links.links_revoke(actor=None, applicant=applicants[1])
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    answers, reasons = set(), []
    for token in (expired, revoked, tampered, "", "x" * 500, None, good + "x"):
        with pytest.raises(links.LinkRefused) as caught:
            links.applicant_for_token(request(), token)
        answers.add(caught.value.message)
        reasons.append(caught.value.reason)
    assert len(answers) == 1  # one message, whatever the reason
    assert reasons[:3] == ["expired", "revoked", "unknown"]
    assert links.applicant_for_token(request("198.51.100.9"), good) == applicants[2]


def test_a_removed_applicant_still_opens_their_link(applicants):
    applicant = applicants[0]
    links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    remove(applicant)
    opened = links.applicant_for_token(request(), token_of(mail.outbox[0]))
    assert opened == applicant and not opened.is_active


# --- link_request (« Recevoir mon lien ») ------------------------------------------------


def ask(applicant, *, email=None, number=None, birth_date=None, address="203.0.113.7"):
    return links.link_request(
        request(address),
        number=number or applicant.candidate_number,
        birth_date=birth_date or applicant.birth_date,
        email=email if email is not None else applicant.email,
    )


def test_a_matching_request_sends_a_link_in_the_background(applicants):
    applicant = applicants[0]
    assert ask(applicant, email=f"  {applicant.email.upper()} ")
    assert [message.to for message in mail.outbox] == [[applicant.email]]
    sending = LinkSending.objects.get()
    assert sending.channel == "request" and sending.sent_by is None
    assert "http://testserver" + LINK_PATH in mail.outbox[0].body


@pytest.mark.parametrize(
    "change",
    [
        {"email": "autre@example.org"},
        {"number": "9999999"},
        {"birth_date": datetime.date(1990, 1, 1)},
    ],
)
def test_a_request_that_does_not_match_sends_nothing(applicants, change):
    assert not ask(applicants[0], **change)
    assert not mail.outbox and not LinkSending.objects.exists()


def test_a_removed_applicant_asking_gets_nothing(applicants):
    applicant = applicants[0]
    remove(applicant)
    assert not ask(applicant)
    assert not mail.outbox


def test_requests_are_limited_per_address(applicants):
    applicant = applicants[0]
    for number in range(links.REQUESTS_PER_TARGET):
        ask(applicant, number=f"88{number:05d}", address=f"203.0.113.{number + 1}")
    # The address asked three times (with wrong numbers): the right one is not sent either.
    assert not ask(applicant, address="203.0.113.99")
    assert not mail.outbox


def test_requests_are_limited_per_number(applicants):
    applicant = applicants[0]
    for number in range(links.REQUESTS_PER_TARGET):
        ask(applicant, email=f"x{number}@example.org", address=f"203.0.113.{number + 1}")
    assert not ask(applicant, address="203.0.113.99")
    assert not mail.outbox


def test_requests_are_limited_per_client(applicants):
    for number in range(links.REQUESTS_PER_CLIENT):
        links.link_request(
            request(),
            number=f"77{number:05d}",
            birth_date=datetime.date(2008, 1, 1),
            email=f"y{number}@example.org",
        )
    assert not ask(applicants[0])
    assert ask(applicants[0], address="198.51.100.1")
    assert len(mail.outbox) == 1


def test_an_address_the_mail_service_refuses_writes_nothing(applicants):
    applicant = applicants[0]
    applicant.email = "pas-une-adresse"
    with pytest.raises(ValidationError):
        links.link_send(actor=None, applicant=applicant, channel=LinkSending.Channel.DESK)
    assert not PublicLink.objects.exists() and not SentEmail.objects.exists()
    assert not LinkSending.objects.exists() and not mail.outbox
