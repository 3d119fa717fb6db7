"""Core records: derived fields, ordering, and the invariants the database enforces."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registrar.models import (
    AssignmentState,
    CensusStatus,
    Course,
    CourseGroup,
    FundingSource,
    PartnerSituation,
    PrerequisiteRule,
    Student,
    Term,
)
from tests.factories import (
    AdmissionFactory,
    CourseFactory,
    CourseGroupFactory,
    StudentFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db
DEFAULTS = importlib.import_module("registrar.migrations.0002_default_code_tables_and_roles")


def test_term_code_gives_season_year_and_label():
    term = Term.objects.create(
        code="a17", start_date=datetime.date(2017, 8, 20), end_date=datetime.date(2017, 12, 22)
    )
    term.refresh_from_db()
    assert (term.code, term.year, term.season) == ("A-2017", 2017, Term.Season.AUTUMN)
    assert term.label == "Automne 2017"
    assert str(term) == "A-2017 Automne 2017"


def test_terms_order_winter_summer_autumn_within_a_year():
    for code in ("A-2017", "H-2018", "E-2017", "H-2017"):
        TermFactory(code=code)
    assert list(Term.objects.values_list("code", flat=True)) == [
        "H-2017",
        "E-2017",
        "A-2017",
        "H-2018",
    ]


def test_current_term_is_the_one_under_way_else_the_latest_started():
    TermFactory(code="A-2017")
    h18 = TermFactory(code="H-2018")
    assert Term.objects.current(datetime.date(2018, 2, 1)) == h18
    assert Term.objects.current(datetime.date(2026, 11, 22)) == h18
    assert Term.objects.current(datetime.date(2000, 1, 1)).code == "A-2017"


def test_term_full_clean_rejects_an_unknown_code():
    term = Term(
        code="X-2017", start_date=datetime.date(2017, 1, 1), end_date=datetime.date(2017, 5, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        term.full_clean()
    assert "n'est pas un code de session valide" in excinfo.value.message_dict["code"][0]


def test_term_must_end_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            code="A-2019", start_date=datetime.date(2019, 9, 1), end_date=datetime.date(2019, 8, 1)
        )


def test_student_search_columns_are_folded_on_save():
    student = StudentFactory(last_name="Lenoir", first_name="Léo", phone="(514) 555-0101")
    assert student.search_last_name == "lenoir"
    assert student.search_first_name == "leo"
    assert student.search_full_name == "lenoir leo"
    assert student.phone_digits == "5145550101"
    assert student.full_name == "Lenoir, Léo"


def test_student_da_is_shown_with_the_mask():
    assert StudentFactory(da_number="1234567").da_display == "123-4567"


def test_student_full_clean_explains_bad_identifiers():
    student = StudentFactory.build(
        da_number="12345678",
        permanent_code="LEBL12345678",
        ine="12345",
        birth_date=datetime.date(1990, 3, 15),
        sex="F",
    )
    with pytest.raises(ValidationError) as excinfo:
        student.full_clean()
    errors = excinfo.value.message_dict
    assert errors["da_number"] == [
        "Le numéro DA doit comporter exactement 7 chiffres (ex. 111-4444)."
    ]
    assert "mois de naissance impossible (34)" in errors["permanent_code"][0]
    assert errors["ine"][0].startswith("L'INE doit comporter 11 caractères")


def test_student_full_clean_checks_code_against_birth_and_sex():
    student = StudentFactory.build(
        da_number="1234567",
        permanent_code="LEBL15539001",
        birth_date=datetime.date(1991, 3, 15),
        sex="F",
    )
    with pytest.raises(ValidationError) as excinfo:
        student.full_clean()
    assert (
        "ne correspond pas à la date de naissance"
        in excinfo.value.message_dict["permanent_code"][0]
    )


def test_da_number_is_unique():
    StudentFactory(da_number="1234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(da_number="1234567")


def test_da_number_holds_digits_only_in_the_database():
    student = StudentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.filter(pk=student.pk).update(da_number="12A4567")


def test_permanent_code_unique_when_present_and_may_be_blank_for_many():
    StudentFactory(permanent_code="LEBL15539001")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(permanent_code="LEBL15539001")
    StudentFactory(permanent_code="")
    StudentFactory(permanent_code="")
    assert Student.objects.filter(permanent_code="").count() == 2


def test_permanent_code_format_is_checked_by_the_database():
    student = StudentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Student.objects.filter(pk=student.pk).update(permanent_code="lebl1553")


def test_ine_unique_when_present():
    StudentFactory(ine="123456789AB")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(ine="123456789ab")  # normalised to upper case before saving


def test_one_group_number_per_course_and_term():
    group = CourseGroupFactory(number="00992")
    CourseGroupFactory(number="00992", course=group.course, term=TermFactory(code="A-2017"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseGroup.objects.create(course=group.course, term=group.term, number="00992")


def test_group_number_is_digits():
    group = CourseGroupFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseGroup.objects.filter(pk=group.pk).update(number="A1")


def test_course_number_is_upper_cased_and_title_folded():
    course = CourseFactory(number=" ins-tee-ra ", title="Inscription RAC - Éducation")
    course.refresh_from_db()
    assert course.number == "INS-TEE-RA"
    assert course.search_title == "inscription rac - education"
    assert Course.objects.filter(number="INS-TEE-RA").exists()


def test_admission_unique_per_student_grid_and_term():
    admission = AdmissionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AdmissionFactory(
            student=admission.student, term=admission.term, grid_code=admission.grid_code
        )


@pytest.mark.parametrize("model_name", sorted(DEFAULTS.CODE_TABLE_DEFAULTS))
def test_code_tables_have_their_default_rows(model_name):
    """Every code table holds exactly the rows of the data migration, in its order, active."""
    model = django_apps.get_model("registrar", model_name)
    rows = list(model.objects.values_list("code", "label", "sort_order", "is_active"))
    assert rows == [
        (code, label, order, True)
        for order, (code, label) in enumerate(DEFAULTS.CODE_TABLE_DEFAULTS[model_name])
    ]


def test_code_tables_show_the_guides_values():
    """The values the Clara guide shows, as it shows them (« CODE - Libellé »)."""
    shown = {
        FundingSource: ("10", "10 - Ministère de l'éducation"),
        AssignmentState: ("0", "0 - Changement accepté"),
        PrerequisiteRule: ("1", "1 - Valider"),
        PartnerSituation: ("R", "R - Cours à remplacer"),
        CensusStatus: ("0", "0 - Non recensé"),
    }
    for model, (code, text) in shown.items():
        assert str(model.objects.get(code=code)) == text
    assert [str(s) for s in PartnerSituation.objects.all()] == [
        "R - Cours à remplacer",
        "CS - Cours à suivre",
    ]
