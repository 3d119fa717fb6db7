"""A real SMTP server for the tests: aiosmtpd's Controller on 127.0.0.1, on a free port,
keeping every message it accepts (the ``smtp_server`` fixture of tests/conftest.py).

The fixture points the default mailer (settings.MAILERS) at it with Django's SMTP backend,
so a test sends through smtplib and a socket as production does; every other test keeps the
in-memory (locmem) mailer of the test settings.
"""

import email
import email.policy
import logging
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# aiosmtpd logs every command of every session at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)

# Seconds the SMTP backend waits on the local server before giving up.
SMTP_TIMEOUT = 5


@dataclass
class Received:
    """One message the server accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class CollectingHandler:
    """Accepts every message, except for the recipients listed in ``refused`` (answered
    « 550 mailbox unavailable », as a real server refuses an unknown address)."""

    messages: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the system's pick for a socket bound to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class SMTPTestServer:
    """aiosmtpd in its own thread; ``stop()`` takes it down (a test of a server that does
    not answer), ``messages`` are what it accepted, ``mailer`` the MAILERS entry to reach it."""

    host = "127.0.0.1"

    def __init__(self):
        self.handler = CollectingHandler()
        self.port = free_port(self.host)
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)
        self.running = False

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def mailer(self) -> dict:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": self.host, "port": self.port, "timeout": SMTP_TIMEOUT},
        }

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address)

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False
