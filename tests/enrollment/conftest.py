import pytest

from tests.enrollment.batch_support import guide_institution


@pytest.fixture
def guide(db) -> dict:
    """The batch guide's institution: INS-TEE-RA group 08459 in H-2018, five students."""
    return guide_institution()
