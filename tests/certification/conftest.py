import pytest
from django.test import Client

from tests.factories import (
    CertificationCenterFactory,
    CertificationSessionFactory,
    OrgUnitFactory,
)

# The org unit of the SCO centre's school: its pupils are the students admitted to it.
COLLEGE_UNIT = ("CJM", "Collège Jean-Moulin")


@pytest.fixture
def college_unit(db):
    return OrgUnitFactory(code=COLLEGE_UNIT[0], name=COLLEGE_UNIT[1])


@pytest.fixture
def sco_center(centre_staff, college_unit):
    """A SCO centre whose staff is the persona centre_staff, linked to its school's org unit
    (``college_unit``): its pupils are the active students with a class admitted to it."""
    center = CertificationCenterFactory(
        name="Collège Jean-Moulin", type="SCO", staff=[centre_staff]
    )
    center.org_units.add(college_unit)
    return center


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
