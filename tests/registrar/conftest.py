"""Fixtures of the registrar tests: « Admission rapide »'s reference data and the guide's
Lise Leblanc as an existing student."""

import datetime

import pytest

from tests.factories import OrgUnitFactory, ProgramFactory, StudentFactory, TermFactory


@pytest.fixture
def reference():
    """What an admission needs: a program, an org unit and a term."""
    return {
        "program": ProgramFactory(),
        "org_unit": OrgUnitFactory(),
        "term": TermFactory(code="A-2017"),
    }


@pytest.fixture
def lise():
    return StudentFactory(
        da_number="1234567",
        last_name="Leblanc",
        first_name="Lise",
        birth_date=datetime.date(1990, 3, 15),
        sex="F",
        permanent_code="LEBL15539001",
    )
