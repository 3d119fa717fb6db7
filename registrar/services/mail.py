"""Sending e-mail: one function for every app, through Django's mailers (settings.MAILERS),
recording each message in registrar.models.SentEmail.

    record = send_email(
        actor=request.user,
        to=["agence@example.org"],
        subject="Demande de stage",
        body="Bonjour, …",
        attachments=[Attachment("demande.pdf", pdf_bytes)],
        purpose="placement_request",
    )

Three outcomes, so a caller never turns a mail problem into a 500:
- the message is refused before anything is sent (a line break in the subject or an address
  — header injection —, an address that is not one, no recipient): ``ValidationError`` with
  French messages keyed by the argument concerned (``to``, ``cc``, ``subject``,
  ``attachments``, ``from_email``), and nothing is written, as every service does;
- the mailer fails (connection refused, timeout, SMTP refusal, any error of the backend):
  a ``SentEmail`` with outcome « failed » and the error's text is written, then
  ``EmailNotSent`` is raised carrying it (``error.sent_email``); the caller shows a French
  message (``EmailNotSent.message``) or, like the password reset, logs and carries on;
- otherwise the ``SentEmail`` with outcome « sent » is returned.

The record is written in the caller's transaction, after the mailer has answered: a caller
that sends about rows it is writing sends from ``transaction.on_commit`` (or a task), so a
rolled-back change sends nothing.
"""

import contextlib
import logging
import mimetypes
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from email.utils import getaddresses

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from registrar.models import SentEmail

logger = logging.getLogger(__name__)

LINE_BREAK = _("%(what)s ne peut pas contenir de retour à la ligne.")
ADDRESS_INVALID = _("« %(address)s » n’est pas une adresse électronique valide.")
NO_RECIPIENT = _("Indiquez au moins un destinataire.")
SUBJECT_REQUIRED = _("Indiquez le sujet du courriel.")
SUBJECT_MAX_LENGTH = 998  # RFC 5322's longest line, and SentEmail.subject's column
SUBJECT_TOO_LONG = _("Le sujet est trop long : %(limit)d caractères au plus (il en a %(length)d).")
ATTACHMENT_NAME_REQUIRED = _("Chaque pièce jointe doit avoir un nom de fichier.")
NOT_SENT = _(
    "Le courriel « %(subject)s » n’a pas pu être envoyé (%(error)s). "
    "Il est noté comme non envoyé ; réessayez plus tard ou prévenez l’administrateur."
)
MALFORMED = _("Le courriel est mal formé : %(error)s")
NOTHING_ACCEPTED = "the mailer accepted no message"

WHAT = {
    "subject": _("Le sujet"),
    "to": _("Une adresse du destinataire"),
    "cc": _("Une adresse en copie"),
    "from_email": _("L’adresse de l’expéditeur"),
    "reply_to": _("L’adresse de réponse"),
    "attachments": _("Le nom d’une pièce jointe"),
}


@dataclass(frozen=True)
class Attachment:
    """A file sent with the message. ``content_type`` is guessed from the name when empty
    (``application/octet-stream`` when the name says nothing)."""

    name: str
    content: bytes
    content_type: str = ""

    @property
    def mimetype(self) -> str:
        return self.content_type or mimetypes.guess_type(self.name)[0] or "application/octet-stream"


class EmailNotSent(Exception):
    """The mailer did not send the message; ``sent_email`` is the « failed » record."""

    def __init__(self, sent_email: SentEmail):
        self.sent_email = sent_email
        self.message = NOT_SENT % {"subject": sent_email.subject, "error": sent_email.error}
        super().__init__(str(self.message))


def _has_line_break(text: str) -> bool:
    # str.splitlines() knows every line boundary (\r, \n, \v, \f, \x1c-\x1e, \x85, \u2028…).
    return len(f"{text}x".splitlines()) > 1


def _check_addresses(field: str, addresses: Sequence[str], errors: dict) -> list[str]:
    """The addresses as given, or errors for this field: a line break anywhere, or a value
    that is not exactly one valid address (``Nom <adresse>`` is allowed)."""
    checked = []
    for address in addresses:
        address = str(address)
        if _has_line_break(address):
            errors.setdefault(field, []).append(LINE_BREAK % {"what": WHAT[field]})
            continue
        parsed = getaddresses([address])
        addr_spec = parsed[0][1] if len(parsed) == 1 else ""
        try:
            validate_email(addr_spec)
        except ValidationError:
            errors.setdefault(field, []).append(ADDRESS_INVALID % {"address": address})
            continue
        checked.append(address)
    return checked


def _as_attachment(item: "Attachment | tuple") -> Attachment:
    if isinstance(item, Attachment):
        return item
    return Attachment(*item)


def send_email(
    *,
    actor: "AbstractBaseUser | AnonymousUser | None",
    to: Sequence[str],
    subject: str,
    body: str,
    cc: Sequence[str] = (),
    attachments: Iterable["Attachment | tuple"] = (),
    html_body: str | None = None,
    purpose: str,
    from_email: str | None = None,
    reply_to: Sequence[str] = (),
    mailer: str = "default",
    connection=None,
) -> SentEmail:
    """Send one message through the mailer ``mailer`` of settings.MAILERS and write its
    ``SentEmail`` (to, cc, subject, attachments' names and sizes, ``actor`` — None when
    nobody is logged in —, time, ``purpose``, outcome, error text).

    Returns the « sent » record; raises ValidationError (nothing written, nothing sent) for
    a message refused before sending, EmailNotSent (« failed » record written) when the
    mailer fails. ``attachments`` are Attachment objects or (name, content[, content_type])
    tuples; text content is sent as UTF-8. ``connection``: an open connection of
    ``mailer`` shared by several messages (``mail_connection``), else one is made for this
    message alone.
    """
    if isinstance(to, str) or isinstance(cc, str) or isinstance(reply_to, str):
        raise TypeError("to, cc and reply_to are sequences of addresses, not one string")
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    files = [_as_attachment(item) for item in attachments]
    contents = [
        file.content.encode() if isinstance(file.content, str) else bytes(file.content)
        for file in files
    ]
    errors: dict[str, list] = {}
    recipients = _check_addresses("to", to, errors)
    copies = _check_addresses("cc", cc, errors)
    _check_addresses("from_email", [from_email], errors)
    answer_to = _check_addresses("reply_to", reply_to, errors)
    if not to:
        errors.setdefault("to", []).append(NO_RECIPIENT)
    subject = str(subject)
    if not subject.strip():
        errors.setdefault("subject", []).append(SUBJECT_REQUIRED)
    elif _has_line_break(subject):
        errors.setdefault("subject", []).append(LINE_BREAK % {"what": WHAT["subject"]})
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors.setdefault("subject", []).append(
            SUBJECT_TOO_LONG % {"limit": SUBJECT_MAX_LENGTH, "length": len(subject)}
        )
    for file in files:
        if not file.name.strip():
            errors.setdefault("attachments", []).append(ATTACHMENT_NAME_REQUIRED)
        elif _has_line_break(file.name):
            errors.setdefault("attachments", []).append(LINE_BREAK % {"what": WHAT["attachments"]})
    if errors:
        raise ValidationError(errors)

    message = mail.EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=recipients,
        cc=copies,
        reply_to=answer_to,
    )
    if html_body is not None:
        message.attach_alternative(html_body, "text/html")
    for file, content in zip(files, contents, strict=True):
        message.attach(file.name, content, file.mimetype)
    # Built once here so a header Python's e-mail package refuses is a refusal, not a
    # failed send; the Message-ID is kept for the record (and matches the one sent).
    try:
        built = message.message()
    except ValueError as error:
        raise ValidationError(MALFORMED % {"error": error}) from error
    message.extra_headers["Message-ID"] = str(built["Message-ID"])

    record = SentEmail(
        actor=actor if getattr(actor, "pk", None) else None,
        purpose=purpose,
        mailer=mailer,
        from_email=from_email,
        to="\n".join(recipients),
        cc="\n".join(copies),
        subject=subject,
        attachments=[
            {"name": file.name, "size": len(content), "content_type": file.mimetype}
            for file, content in zip(files, contents, strict=True)
        ],
        message_id=str(built["Message-ID"]),
    )
    try:
        if connection is None:
            accepted = mail.mailers[mailer].send_messages([message])
        else:
            # Opened here when an earlier failure closed it: a backend closes after sending
            # only a connection its send_messages opened itself.
            connection.open()
            accepted = connection.send_messages([message])
    except Exception as error:  # any mailer error (connection, SMTP, backend) is a failed send
        record.outcome = SentEmail.Outcome.FAILED
        record.error = f"{type(error).__name__}: {error}"
        if connection is not None:
            # The shared connection may be broken (a server that hung up): the next message
            # opens a fresh one.
            _close_quietly(connection)
    else:
        if accepted:
            record.outcome = SentEmail.Outcome.SENT
        else:
            record.outcome = SentEmail.Outcome.FAILED
            record.error = NOTHING_ACCEPTED
    record.save()
    if record.outcome == SentEmail.Outcome.FAILED:
        logger.warning(
            "E-mail %s (%s) to %s not sent: %s",
            record.pk,
            purpose,
            ", ".join(recipients),
            record.error,
        )
        raise EmailNotSent(record)
    return record


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # closing a broken connection may fail too; it is dropped either way
        logger.debug("Mail connection close failed", exc_info=True)


@contextlib.contextmanager
def mail_connection(mailer: str = "default") -> Iterator:
    """One connection of the mailer ``mailer`` for several ``send_email(…, connection=…)``
    calls (a bulk sending): an SMTP mailer logs in once rather than once per message.

        with mail_connection() as connection:
            for … :
                send_email(…, connection=connection)

    Opening is tried at once; if it fails, each message tries again (and is recorded as
    failed with the error) — never an exception here. A message that fails closes the
    connection and the next one opens a new one. Closed on leaving."""
    connection = mail.mailers[mailer]
    try:
        connection.open()
    except Exception:
        logger.warning("Mail connection of %s could not be opened", mailer, exc_info=True)
        _close_quietly(connection)
    try:
        yield connection
    finally:
        _close_quietly(connection)
