"""manage.py seed_demo: the guides' institution, idempotent, and refused in production."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from registrar import roles
from registrar.models import Admission, Course, CourseGroup, Student, Term

pytestmark = pytest.mark.django_db

GUIDE = {
    "1234567": ("Leblanc", "Lise"),
    "2345678": ("Lebrun", "Luc"),
    "3456789": ("Lenoir", "Léo"),
    "4567890": ("Larose", "Lucie"),
    "5678901": ("Levert", "Lyette"),
}


def _seed(students=20):
    call_command("seed_demo", students=students, stdout=StringIO(), stderr=StringIO())


def _counts():
    return (
        Student.objects.count(),
        Admission.objects.count(),
        Course.objects.count(),
        CourseGroup.objects.count(),
        Term.objects.count(),
        get_user_model().objects.count(),
    )


def test_guide_students_with_valid_codes_and_admissions():
    _seed()
    for da, (last, first) in GUIDE.items():
        student = Student.objects.get(da_number=da)
        assert (student.last_name, student.first_name) == (last, first)
        student.full_clean()  # code permanent consistent with birth date and sex
        admission = student.admissions.get()
        assert admission.grid_code == "JEE0K-17R-RA"
        assert admission.program.code == "JEE.0K"
        assert admission.org_unit.code == "RA"
        assert admission.term.code == "A-2017"
    assert Student.objects.get(da_number="1234567").permanent_code.startswith("LEBL")


def test_reference_data_of_the_guides():
    _seed()
    assert set(Term.objects.values_list("code", flat=True)) >= {"A-2017", "H-2017", "H-2018"}
    for number in ("322-409-MV", "350-710-MV", "350-711-MV", "601-103-MQ"):
        assert Course.objects.filter(number=number, is_placeholder=False).exists()
    placeholder = Course.objects.get(number="INS-TEE-RA")
    assert placeholder.is_placeholder
    group = CourseGroup.objects.get(course=placeholder, number="08459")
    assert group.term.code == "H-2018" and group.rac_type == "EE"


def test_demo_user_has_every_role():
    _seed()
    demo = get_user_model().objects.get(username="demo")
    assert demo.check_password("demo")
    assert set(demo.groups.values_list("name", flat=True)) == {r.name for r in roles.ROLES}
    assert demo.is_staff


def test_second_run_duplicates_nothing():
    _seed()
    before = _counts()
    _seed()
    assert _counts() == before


def test_generated_students_up_to_the_requested_count():
    _seed(students=50)
    generated = Student.objects.filter(da_number__gte="6000000")
    assert generated.count() == 50
    _seed(students=60)
    assert generated.count() == 60
    student = generated.first()
    assert student.search_last_name and student.search_full_name
    assert student.admissions.exists()
    for student in generated:
        student.full_clean()


@override_settings(DEBUG=False, TESTING=False)
def test_refused_outside_debug_and_tests():
    with pytest.raises(CommandError, match="runs only with DEBUG"):
        _seed()
    assert not get_user_model().objects.filter(username="demo").exists()
