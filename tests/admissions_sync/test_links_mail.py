"""registrar.services.mail.mail_connection, the one connection the bulk sending of links
shares between its messages (generic: any caller of send_email may use it)."""

import smtplib

import pytest
from django.core import mail

from registrar.models import SentEmail
from registrar.services.mail import EmailNotSent, mail_connection, send_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(monkeypatch) -> list[int]:
    """The SMTP connections opened."""
    calls = []
    connect = smtplib.SMTP.connect

    def counting(self, *args, **kwargs):
        calls.append(1)
        return connect(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting)
    return calls


def send(to, connection=None):
    return send_email(
        actor=None, to=[to], subject="Essai", body="Bonjour", purpose="test", connection=connection
    )


def test_without_a_shared_connection_each_message_opens_its_own(smtp_server, opened):
    for number in range(3):
        send(f"a{number}@example.org")
    assert len(opened) == 3 and len(smtp_server.messages) == 3


def test_one_connection_for_a_batch(smtp_server, opened):
    with mail_connection() as connection:
        for number in range(5):
            send(f"a{number}@example.org", connection)
    assert len(opened) == 1 and len(smtp_server.messages) == 5
    assert SentEmail.objects.filter(outcome="sent").count() == 5


def test_a_refused_message_is_recorded_and_the_batch_goes_on(smtp_server, opened):
    smtp_server.refuse("b1@example.org")
    outcomes = []
    with mail_connection() as connection:
        for number in range(4):
            try:
                send(f"b{number}@example.org", connection)
            except EmailNotSent as exc:
                outcomes.append(exc.sent_email.error)
            else:
                outcomes.append("sent")
    assert outcomes[0] == outcomes[2] == outcomes[3] == "sent"
    assert outcomes[1].startswith("SMTPRecipientsRefused")
    # The failure closed the connection; the rest of the batch shares a new one.
    assert len(opened) == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == [
        "b0@example.org",
        "b2@example.org",
        "b3@example.org",
    ]


def test_a_server_that_does_not_answer_fails_each_message_never_the_block(smtp_server):
    smtp_server.stop()
    with mail_connection() as connection:
        for number in range(2):
            with pytest.raises(EmailNotSent):
                send(f"c{number}@example.org", connection)
    assert SentEmail.objects.filter(outcome="failed").count() == 2


def test_the_in_memory_mailer_takes_a_shared_connection_too():
    with mail_connection() as connection:
        send("d@example.org", connection)
        send("e@example.org", connection)
    assert [message.to for message in mail.outbox] == [["d@example.org"], ["e@example.org"]]
