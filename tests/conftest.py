"""Fixtures shared by the whole suite: personas (one per staff role) and a logged-in client."""

import pytest
from django.test import Client

from registrar import roles
from tests.factories import UserFactory

PERSONAS = {
    "registrar_staff": [roles.REGISTRAR_STAFF],
    "readonly_staff": [roles.READONLY_STAFF],
    "placement_coordinator": [roles.PLACEMENT_COORDINATOR],
    "other_program_coordinator": [roles.PLACEMENT_COORDINATOR],
    "centre_staff": [roles.CENTRE_STAFF],
    "other_centre_staff": [roles.CENTRE_STAFF],
    "admissions_officer": [roles.ADMISSIONS_OFFICER],
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
