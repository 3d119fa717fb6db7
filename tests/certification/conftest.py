import pytest
from django.test import Client

from tests.factories import CertificationCenterFactory, CertificationSessionFactory


@pytest.fixture
def sco_center(centre_staff):
    """A SCO centre whose staff is the persona centre_staff."""
    return CertificationCenterFactory(name="Collège Jean-Moulin", type="SCO", staff=[centre_staff])


@pytest.fixture
def other_center(other_centre_staff):
    """Another centre, of other_centre_staff: centre_staff must never see its sessions."""
    return CertificationCenterFactory(name="Lycée Ampère", type="PRO", staff=[other_centre_staff])


@pytest.fixture
def client_of():
    """``client_of(user)``: a test client logged in as ``user``."""

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def pro_center(centre_staff):
    """A PRO centre whose staff is centre_staff: it types its candidates in or imports them."""
    return CertificationCenterFactory(name="Centre Formation Pro", type="PRO", staff=[centre_staff])


@pytest.fixture
def pro_session(pro_center):
    return CertificationSessionFactory(center=pro_center, name="Certification Pix adultes")
