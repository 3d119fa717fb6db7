"""Fixtures of the enrolment windows' tests."""

import pytest

from tests.factories import AdmissionFactory, TermFactory, TermRecordFactory


@pytest.fixture
def record():
    """A term record H-2018 from an admission of A-2017: the window's « Dossier session »."""
    admission = AdmissionFactory(term=TermFactory(code="A-2017"))
    return TermRecordFactory(admission=admission, term=TermFactory(code="H-2018"))
