"""registrar.services.students.student_register_or_update: a workflow's registration
creates a student (next free DA) or updates the confirmed one, and its admission, audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registrar.models import Admission, AuditEntry, Student
from registrar.services.students import student_register_or_update
from tests.factories import OrgUnitFactory, ProgramFactory, StudentFactory, TermFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def where():
    return {
        "program": ProgramFactory(),
        "grid_code": "bts-sio-26",
        "org_unit": OrgUnitFactory(),
        "term": TermFactory(),
    }


IDENTITY = {
    "last_name": "Martin",
    "first_name": "Léa",
    "birth_date": datetime.date(2007, 3, 14),
    "sex": "F",
    "ine": "1234567890a",
    "birth_city": "Lyon",
    "birth_country": "France",
}


def test_creates_the_student_and_the_admission(registrar_staff, where):
    student, admission = student_register_or_update(
        actor=registrar_staff,
        student=None,
        identity=IDENTITY,
        contacts={"email": "lea@example.org", "address_line1": "x" * 150, "country": "France"},
        screen="Essai",
        **where,
    )
    assert student.ine == "1234567890A" and student.da_number
    assert len(student.address_line1) == 120
    assert admission.grid_code == "BTS-SIO-26" and admission.status == Admission.Status.ADMITTED
    actions = sorted(AuditEntry.objects.filter(student=student).values_list("action", flat=True))
    assert actions == ["create", "create"]


def test_updates_the_confirmed_student_and_reuses_the_admission(registrar_staff, where):
    existing = StudentFactory(
        last_name="Martin",
        first_name="Léa",
        email="",
        birth_date=IDENTITY["birth_date"],
        permanent_code="",
    )
    Admission.objects.create(
        student=existing, status="admitted", **{**where, "grid_code": "BTS-SIO-26"}
    )
    student, _admission = student_register_or_update(
        actor=registrar_staff,
        student=existing,
        identity=IDENTITY,
        contacts={"email": "lea@example.org"},
        screen="Essai",
        **where,
    )
    assert student.pk == existing.pk and student.email == "lea@example.org"
    assert Admission.objects.filter(student=existing).count() == 1
    assert Student.objects.count() == 1
    entry = AuditEntry.objects.get(student=existing, action="update")
    assert entry.changes["email"] == ["", "lea@example.org"]


def test_a_taken_ine_is_refused(registrar_staff, where):
    StudentFactory(ine="1234567890A")
    with pytest.raises(ValidationError, match="INE"):
        student_register_or_update(
            actor=registrar_staff,
            student=None,
            identity=IDENTITY,
            contacts={},
            screen="E",
            **where,
        )
    assert Student.objects.count() == 1


def test_an_admission_of_the_same_grid_in_another_program_is_refused(registrar_staff, where):
    existing = StudentFactory(permanent_code="", birth_date=IDENTITY["birth_date"])
    Admission.objects.create(
        student=existing,
        status="admitted",
        program=ProgramFactory(code="420.B0", title="Informatique"),
        grid_code="BTS-SIO-26",
        org_unit=where["org_unit"],
        term=where["term"],
    )
    with pytest.raises(ValidationError, match="autre programme"):
        student_register_or_update(
            actor=registrar_staff,
            student=existing,
            identity=IDENTITY,
            contacts={},
            screen="E",
            **where,
        )
    existing.refresh_from_db()
    assert existing.ine == ""


def test_unknown_fields_are_a_programming_error(registrar_staff, where):
    with pytest.raises(TypeError):
        student_register_or_update(
            actor=registrar_staff,
            student=None,
            identity={"nir": "1"},
            contacts={},
            screen="E",
            **where,
        )


def test_an_update_keeps_the_records_sex(registrar_staff, where):
    existing = StudentFactory(
        sex="M", permanent_code="", birth_date=IDENTITY["birth_date"], last_name="Martin"
    )
    student, _admission = student_register_or_update(
        actor=registrar_staff,
        student=existing,
        identity=IDENTITY,
        contacts={},
        screen="E",
        **where,
    )
    assert student.sex == "M" and student.first_name == "Léa"
