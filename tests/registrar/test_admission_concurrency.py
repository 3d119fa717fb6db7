"""Two agents saving « Admission rapide » at once on PostgreSQL: never the same DA, and a
typed DA or code permanent taken by the other is a field error, never a server error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from registrar.models import Student
from registrar.services import students as services
from tests.factories import (
    OrgUnitFactory,
    ProgramFactory,
    StudentFactory,
    TermFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two connections writing at once need PostgreSQL; SQLite serialises all writes",
    ),
]


def _race(monkeypatch, hook: str, people: list[dict]) -> list[str]:
    """Run student_admit_quickly for each of ``people`` in its own thread, all of them held
    after their first call of ``hook`` (a function of the service module) until every one
    has made it."""
    reference = {
        "program": ProgramFactory(),
        "org_unit": OrgUnitFactory(),
        "term": TermFactory(code="A-2017"),
    }
    staff = UserFactory()
    barrier = threading.Barrier(len(people))
    original = getattr(services, hook)
    seen = threading.local()

    def held(*args, **kwargs):
        value = original(*args, **kwargs)
        if not getattr(seen, "held", False):  # a retry is not held again
            seen.held = True
            barrier.wait(timeout=10)
        return value

    monkeypatch.setattr(services, hook, held)
    outcomes: list[str] = []

    def admit(person):
        try:
            student = services.student_admit_quickly(
                actor=staff,
                grid_code="JEE0K-17R-RA",
                birth_date=datetime.date(2001, 7, 4),
                sex="F",
                **reference,
                **person,
            )
            outcomes.append(f"DA {student.da_number}")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_agents_generating_a_da_at_once_get_two_numbers(monkeypatch):
    StudentFactory(da_number="6000000")
    # Both read the same largest DA before either inserts.
    outcomes = _race(
        monkeypatch,
        "next_free_da_number",
        [
            {"last_name": "Tremblay", "first_name": "Émilie"},
            {"last_name": "Gagnon", "first_name": "Léa"},
        ],
    )
    assert outcomes == ["DA 6000001", "DA 6000002"]
    assert Student.objects.count() == 3


def test_two_agents_typing_the_same_da_at_once_one_is_refused(monkeypatch):
    outcomes = _race(
        monkeypatch,
        "_refuse_duplicates",
        [
            {"last_name": "Tremblay", "first_name": "Émilie", "da_number": "7000001"},
            {"last_name": "Gagnon", "first_name": "Léa", "da_number": "7000001"},
        ],
    )
    assert outcomes[0] == "DA 7000001"
    assert outcomes[1].startswith("Le numéro DA 700-0001 est déjà celui de ")
    assert Student.objects.count() == 1


def test_two_agents_with_the_same_permanent_code_at_once_one_is_refused(monkeypatch):
    outcomes = _race(
        monkeypatch,
        "_refuse_duplicates",
        [
            {"last_name": "Tremblay", "first_name": "Émilie", "permanent_code": "TREE04570101"},
            {"last_name": "Tremblay", "first_name": "Éva", "permanent_code": "TREE04570101"},
        ],
    )
    assert outcomes[0].startswith("DA ")
    assert "Le code permanent TREE04570101 est déjà celui de Tremblay" in outcomes[1]
    assert Student.objects.count() == 1
