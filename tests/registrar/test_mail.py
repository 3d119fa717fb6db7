"""The e-mail service (registrar/services/mail.py) through a real SMTP exchange with a local
aiosmtpd server (the ``smtp_server`` fixture, tests/mail_support.py), its record
(SentEmail), its refusals, its failures, the admin list and the password reset that uses it."""

import io
import re
import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from registrar.login import PASSWORD_RESET_PURPOSE
from registrar.models import SentEmail
from registrar.services.mail import NOTHING_ACCEPTED, Attachment, EmailNotSent, send_email
from tests.factories import UserFactory
from tests.mail_support import free_port

pytestmark = pytest.mark.django_db

SUBJECT = "Relevé de notes – session d’été « Zoé Lefèvre »"
BODY = "Bonjour Zoé,\n\nVeuillez trouver ci-joint le relevé de la session d’été.\nÀ bientôt.\n"
PDF_NAME = "relevé de notes – Zoé.pdf"


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Relevé de notes"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _send(actor, **overrides):
    arguments = {
        "actor": actor,
        "to": ["zoe.lefevre@example.org"],
        "subject": SUBJECT,
        "body": BODY,
        "purpose": "test_transcript",
    }
    return send_email(**(arguments | overrides))


def test_a_pdf_attachment_arrives_through_smtp_intact_with_french_accents(
    smtp_server, registrar_staff
):
    pdf = _pdf()
    record = _send(
        registrar_staff,
        cc=["Secrétariat <secretariat@example.org>"],
        attachments=[Attachment(PDF_NAME, pdf)],
        html_body="<p>Bonjour Zoé, voici le relevé de la session d’été.</p>",
    )

    [received] = smtp_server.messages
    assert received.rcpt_tos == ["zoe.lefevre@example.org", "secretariat@example.org"]
    message = received.message
    assert message["Subject"] == SUBJECT
    assert message["To"] == "zoe.lefevre@example.org"
    assert message["Cc"] == "Secrétariat <secretariat@example.org>"
    # SMTP carries lines ended by CRLF.
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY
    assert "session d’été" in message.get_body(("html",)).get_content()
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == PDF_NAME
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == pdf
    assert len(PdfReader(io.BytesIO(attachment.get_content())).pages) == 1
    # What left is what the record says.
    assert message["Message-ID"] == record.message_id

    record = SentEmail.objects.get()
    assert record.outcome == SentEmail.Outcome.SENT
    assert record.error == ""
    assert record.to_list == ["zoe.lefevre@example.org"]
    assert record.cc_list == ["Secrétariat <secretariat@example.org>"]
    assert record.subject == SUBJECT
    assert record.attachments == [
        {"name": PDF_NAME, "size": len(pdf), "content_type": "application/pdf"}
    ]
    assert record.attachment_names == [PDF_NAME]
    assert record.actor == registrar_staff
    assert record.purpose == "test_transcript"
    assert record.mailer == "default"
    assert record.from_email == "registrariat@localhost"


def test_tuples_are_attachments_too_and_several_arrive_in_order(smtp_server, registrar_staff):
    csv, pdf = "nom;prénom\nLefèvre;Zoé\n".encode(), _pdf()
    _send(
        registrar_staff,
        attachments=[("liste.csv", csv, "text/csv"), ("relevé.pdf", pdf)],
    )
    [received] = smtp_server.messages
    names = [part.get_filename() for part in received.message.iter_attachments()]
    assert names == ["liste.csv", "relevé.pdf"]
    assert SentEmail.objects.get().attachment_names == ["liste.csv", "relevé.pdf"]
    assert [item["size"] for item in SentEmail.objects.get().attachments] == [len(csv), len(pdf)]


def test_smtp_down_records_a_failed_send_and_raises(smtp_server, registrar_staff):
    smtp_server.stop()
    with pytest.raises(EmailNotSent) as raised:
        _send(registrar_staff, attachments=[Attachment(PDF_NAME, _pdf())])

    record = SentEmail.objects.get()
    assert raised.value.sent_email == record
    assert record.outcome == SentEmail.Outcome.FAILED
    assert record.error.startswith("ConnectionRefusedError:")
    assert record.actor == registrar_staff
    assert record.attachment_names == [PDF_NAME]
    assert "n’a pas pu être envoyé" in str(raised.value.message)
    assert SUBJECT in str(raised.value.message)


def test_a_closed_port_is_a_failed_send(settings, registrar_staff):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    with pytest.raises(EmailNotSent):
        _send(registrar_staff)
    assert SentEmail.objects.get().outcome == SentEmail.Outcome.FAILED


def test_a_mailer_that_fails_silently_is_a_failed_send_too(settings, registrar_staff):
    # fail_silently in OPTIONS: the SMTP backend swallows the refused connection and
    # reports no message sent.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "fail_silently": True},
        }
    }
    with pytest.raises(EmailNotSent):
        _send(registrar_staff)
    record = SentEmail.objects.get()
    assert (record.outcome, record.error) == (SentEmail.Outcome.FAILED, NOTHING_ACCEPTED)


def test_a_recipient_the_server_refuses_is_a_failed_send(smtp_server, registrar_staff):
    smtp_server.refuse("inconnu@example.org")
    with pytest.raises(EmailNotSent):
        _send(registrar_staff, to=["inconnu@example.org"])

    assert smtp_server.messages == []
    record = SentEmail.objects.get()
    assert record.outcome == SentEmail.Outcome.FAILED
    assert record.error.startswith(smtplib.SMTPRecipientsRefused.__name__)
    assert "550" in record.error


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"subject": "Relevé\nBcc: victime@example.org"},
            "subject",
            "Le sujet ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"subject": "Relevé\r\nBcc: victime@example.org"},
            "subject",
            "Le sujet ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"to": ["zoe@example.org\nBcc: victime@example.org"]},
            "to",
            "Une adresse du destinataire ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"cc": ["copie@example.org\r\nBcc: victime@example.org"]},
            "cc",
            "Une adresse en copie ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"from_email": "registrariat@example.org\nBcc: victime@example.org"},
            "from_email",
            "L’adresse de l’expéditeur ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"attachments": [("relevé.pdf\nContent-Type: text/html", b"%PDF")]},
            "attachments",
            "Le nom d’une pièce jointe ne peut pas contenir de retour à la ligne.",
        ),
        (
            {"to": ["zoe@example.org, victime@example.org"]},
            "to",
            "« zoe@example.org, victime@example.org » n’est pas une adresse électronique valide.",
        ),
        (
            {"to": ["pas-une-adresse"]},
            "to",
            "« pas-une-adresse » n’est pas une adresse électronique valide.",
        ),
        ({"to": []}, "to", "Indiquez au moins un destinataire."),
        ({"subject": "  "}, "subject", "Indiquez le sujet du courriel."),
        (
            {"subject": "é" * 999},
            "subject",
            "Le sujet est trop long : 998 caractères au plus (il en a 999).",
        ),
    ],
    ids=[
        "subject-lf",
        "subject-crlf",
        "to-lf",
        "cc-crlf",
        "from-lf",
        "attachment-name-lf",
        "two-addresses-in-one",
        "not-an-address",
        "no-recipient",
        "blank-subject",
        "subject-too-long",
    ],
)
def test_header_injection_and_bad_addresses_are_refused_before_sending(
    smtp_server, registrar_staff, overrides, field, message
):
    with pytest.raises(ValidationError) as raised:
        _send(registrar_staff, **overrides)
    assert raised.value.message_dict == {field: [message]}
    assert smtp_server.messages == []
    assert not SentEmail.objects.exists()


def test_the_test_settings_keep_the_in_memory_mailer(mailoutbox, registrar_staff):
    record = _send(registrar_staff, attachments=[Attachment(PDF_NAME, b"%PDF-1.4")])
    [message] = mailoutbox
    assert message.subject == SUBJECT
    assert message.attachments[0].filename == PDF_NAME
    assert record.outcome == SentEmail.Outcome.SENT


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/reinitialisation/\S+)", body)
    assert match, body
    return match.group(1)


def test_the_password_reset_goes_through_smtp_and_is_recorded(client, smtp_server):
    user = UserFactory(username="zoe", email="zoe.lefevre@example.org")
    response = client.post(reverse("password_reset"), {"email": "Zoe.Lefevre@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    [received] = smtp_server.messages
    assert received.rcpt_tos == ["zoe.lefevre@example.org"]
    assert received.message["Subject"] == "Registrar : réinitialisation de votre mot de passe"
    body = received.message.get_body(("plain",)).get_content()
    assert "Votre nom d'utilisateur : zoe" in body
    response = client.get(_reset_link(body), follow=True)
    assert "Nouveau mot de passe" in response.content.decode()

    record = SentEmail.objects.get()
    assert record.purpose == PASSWORD_RESET_PURPOSE
    assert record.actor is None
    assert record.to_list == [user.email]
    assert record.outcome == SentEmail.Outcome.SENT
    assert record.message_id == received.message["Message-ID"]


def test_a_password_reset_with_smtp_down_answers_the_same_and_is_recorded_failed(
    client, smtp_server, caplog
):
    UserFactory(username="zoe", email="zoe.lefevre@example.org")
    smtp_server.stop()
    response = client.post(reverse("password_reset"), {"email": "zoe.lefevre@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    record = SentEmail.objects.get()
    assert record.outcome == SentEmail.Outcome.FAILED
    assert record.error.startswith("ConnectionRefusedError:")
    assert "Failed to send password reset email" in caplog.text


def test_a_password_reset_for_an_unknown_address_sends_and_records_nothing(client, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "personne@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert smtp_server.messages == []
    assert not SentEmail.objects.exists()


def test_the_admin_lists_searches_and_filters_sent_mail_read_only(
    client, admin, smtp_server, registrar_staff
):
    pdf = _pdf()
    _send(registrar_staff, attachments=[Attachment(PDF_NAME, pdf)])
    smtp_server.stop()
    with pytest.raises(EmailNotSent):
        _send(registrar_staff, to=["autre@example.org"], subject="Convocation")
    sent, failed = SentEmail.objects.order_by("pk")
    client.force_login(admin)
    changelist = reverse("admin:registrar_sentemail_changelist")

    html = client.get(changelist).content.decode()
    assert "Relevé de notes" in html
    assert "Convocation" in html

    html = client.get(changelist, {"q": "autre@example"}).content.decode()
    assert "Convocation" in html and "Relevé de notes" not in html
    html = client.get(changelist, {"q": "relevé"}).content.decode()
    assert "Relevé de notes" in html and "Convocation" not in html
    html = client.get(changelist, {"outcome__exact": "failed"}).content.decode()
    assert "Convocation" in html and "Relevé de notes" not in html

    detail = client.get(reverse("admin:registrar_sentemail_change", args=[sent.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert re.search(rf"{re.escape(PDF_NAME)} \({len(pdf)}\s+octets\)", page)
    assert (
        "ConnectionRefusedError"
        in client.get(
            reverse("admin:registrar_sentemail_change", args=[failed.pk])
        ).content.decode()
    )

    assert client.get(reverse("admin:registrar_sentemail_add")).status_code == 403
    response = client.post(
        reverse("admin:registrar_sentemail_change", args=[sent.pk]),
        {"subject": "Changé", "outcome": "sent"},
    )
    assert response.status_code == 403
    assert (
        client.get(reverse("admin:registrar_sentemail_delete", args=[sent.pk])).status_code == 403
    )
    sent.refresh_from_db()
    assert sent.subject == SUBJECT
