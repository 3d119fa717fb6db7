"""Reads shared by views: the searches and their counts."""

import pytest

from registrar import selectors
from tests.factories import AdmissionFactory, ProgramFactory, StudentFactory, TermFactory

pytestmark = pytest.mark.django_db


def test_count_by_admission_agrees_with_the_search():
    nursing = ProgramFactory(code="180.A0", title="Soins infirmiers")
    a17, h18 = TermFactory(code="A-2017"), TermFactory(code="H-2018")
    twice = StudentFactory()
    AdmissionFactory(student=twice, program=nursing, term=a17, grid_code="180A0-16A-RG")
    AdmissionFactory(student=twice, program=nursing, term=h18, grid_code="180A0-18A-RG")
    AdmissionFactory(program=nursing, term=a17, grid_code="180A0-16A-RG")
    AdmissionFactory(term=a17)  # JEE.0K
    for field, text in (
        ("program_code", "180*"),
        ("program_title", "soins"),
        ("program_code", "JEE.0K"),
    ):
        found = selectors.search_students(field=field, text=text)
        assert selectors.count_students_by_admission(field=field, text=text) == found.count()
    assert selectors.count_students_by_admission(field="program_code", text="180*") == 2


def test_count_by_admission_is_only_for_program_criteria():
    assert selectors.count_students_by_admission(field="last_name", text="Leb*") is None


def test_unknown_field_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown search field"):
        selectors.search_students(field="nickname", text="x")
    with pytest.raises(ValueError, match="unknown course search criterion"):
        selectors.search_courses(criterion="nickname", text="x")


def test_latest_admission_columns():
    student = StudentFactory()
    AdmissionFactory(student=student, term=TermFactory(code="H-2018"), grid_code="NEW-1")
    AdmissionFactory(student=student, term=TermFactory(code="A-2017"), grid_code="OLD-1")
    annotated = selectors.with_latest_admission(type(student).objects.filter(pk=student.pk)).get()
    assert (annotated.grid_code, annotated.admission_term_code) == ("NEW-1", "H-2018")
