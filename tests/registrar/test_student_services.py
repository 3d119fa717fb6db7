"""registrar.services.students: « Admission rapide » writes a student and an admission
together, audited, with the rules of the student record and the duplicate checks."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registrar import validators
from registrar.models import Admission, AuditEntry, OrgUnit, Program, Student
from registrar.services import students as services
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _admit(actor, reference, **overrides):
    values = {
        "last_name": "Tremblay",
        "first_name": "Émilie",
        "birth_date": datetime.date(2001, 7, 4),
        "sex": "F",
        "permanent_code": "TREE04570101",
        "grid_code": "jee0k-17r-ra",
        **reference,
    }
    values.update(overrides)
    return services.student_admit_quickly(actor=actor, **values)


def _messages(exc: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def test_creates_the_student_and_the_admission_with_the_next_da(registrar_staff, reference, lise):
    StudentFactory(da_number="6000299")
    student = _admit(
        registrar_staff,
        reference,
        contacts={"email": "emilie@example.org", "phone": "514 555-0101", "city": "Laval"},
    )
    assert student.da_number == "6000300"
    assert (student.email, student.phone_digits, student.city) == (
        "emilie@example.org",
        "5145550101",
        "Laval",
    )
    admission = Admission.objects.get(student=student)
    assert (admission.program, admission.grid_code, admission.term.code, admission.status) == (
        reference["program"],
        "JEE0K-17R-RA",
        "A-2017",
        Admission.Status.ADMITTED,
    )
    entries = AuditEntry.objects.filter(student=student).order_by("pk")
    assert [(e.action, e.screen, e.actor) for e in entries] == [
        ("create", "Admission rapide", registrar_staff),
        ("create", "Admission rapide", registrar_staff),
    ]
    assert entries[0].changes["permanent_code"] == [None, "TREE04570101"]
    assert entries[0].changes["da_number"] == [None, "6000300"]
    assert entries[1].changes["grid_code"] == [None, "JEE0K-17R-RA"]
    assert "address_line2" not in entries[0].changes  # left blank: not listed


def test_the_first_da_of_an_empty_institution_has_the_masks_length(registrar_staff, reference):
    assert services.next_free_da_number() == "0000001"
    assert _admit(registrar_staff, reference).da_number == "0000001"


def test_a_number_of_another_length_does_not_count(registrar_staff, reference):
    Student.objects.bulk_create([StudentFactory.build(da_number="99")])  # outside the mask
    StudentFactory(da_number="1234567")
    assert services.next_free_da_number() == "1234568"


def test_no_free_da_after_the_largest_asks_to_type_one(registrar_staff, reference):
    StudentFactory(da_number="9999999")
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference)
    assert _messages(exc, "da_number") == str(services.DA_EXHAUSTED)
    assert _admit(registrar_staff, reference, da_number="123-4567").da_number == "1234567"


def test_a_typed_da_is_kept(registrar_staff, reference):
    assert _admit(registrar_staff, reference, da_number="765 4321").da_number == "7654321"


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦٧", "123456²", "12345", "12345678"])
def test_a_da_not_of_seven_ascii_digits_is_refused(registrar_staff, reference, typed):
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference, da_number=typed)
    assert "chiffres" in _messages(exc, "da_number")
    assert not Student.objects.exists() and not AuditEntry.objects.exists()


def test_same_permanent_code_or_da_is_refused_even_when_confirmed(registrar_staff, reference, lise):
    with pytest.raises(ValidationError) as exc:
        _admit(
            registrar_staff,
            reference,
            permanent_code="lebl 15539001",
            last_name="Leblanc",
            first_name="Lise",
            birth_date=datetime.date(1990, 3, 15),
            da_number="1234567",
            homonym_confirmed=True,
        )
    assert _messages(exc, "permanent_code") == (
        "Le code permanent LEBL15539001 est déjà celui de Leblanc, Lise."
    )
    assert _messages(exc, "da_number") == "Le numéro DA 123-4567 est déjà celui de Leblanc, Lise."
    assert Student.objects.count() == 1 and not Admission.objects.exists()


def test_a_homonym_needs_the_confirmation(registrar_staff, reference, lise):
    homonym = {
        "last_name": "LEBLANC",
        "first_name": " lise ",
        "birth_date": datetime.date(1990, 3, 15),
        "permanent_code": "",
    }
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference, **homonym)
    assert _messages(exc, "homonym_confirmed") == str(services.HOMONYM_UNCONFIRMED)
    assert Student.objects.count() == 1
    student = _admit(registrar_staff, reference, homonym_confirmed=True, **homonym)
    assert (student.last_name, student.first_name) == ("LEBLANC", "lise")
    assert Student.objects.count() == 2


def test_find_duplicates_names_each_reason(lise):
    other = StudentFactory(
        last_name="Léblanc", first_name="Lisé", birth_date=datetime.date(1990, 3, 15)
    )
    StudentFactory(last_name="Leblanc", first_name="Lise", birth_date=datetime.date(1991, 3, 15))
    found = {
        d.student: d.reasons
        for d in services.find_duplicates(
            permanent_code="LEBL15539001",
            da_number="123-4567",
            last_name="leblanc",
            first_name="LISE",
            birth_date=datetime.date(1990, 3, 15),
        )
    }
    assert found == {lise: {"permanent_code", "da_number", "homonym"}, other: {"homonym"}}
    assert services.find_duplicates() == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": datetime.date(2001, 7, 5)}, "permanent_code", "ne correspond pas"),
        ({"sex": "M"}, "permanent_code", "le dossier indique masculin"),
        ({"permanent_code": "TREE04990101"}, "permanent_code", "mois de naissance impossible"),
        ({"birth_date": None}, "birth_date", str(services.BIRTH_DATE_REQUIRED)),
        ({"birth_date": datetime.date(1899, 12, 31)}, "birth_date", "postérieure au 01/01/1900"),
        ({"sex": ""}, "sex", str(services.SEX_REQUIRED)),
        ({"grid_code": ""}, "grid_code", str(services.GRID_REQUIRED)),
        ({"grid_code": '=HYPERLINK("x")'}, "grid_code", str(services.GRID_FORMAT)),
        ({"contacts": {"email": "pas-un-courriel"}}, "email", "courriel"),
        ({"last_name": "x" * 81}, "last_name", "80 caractères"),
        ({"contacts": {"postal_code": "H" * 13}}, "postal_code", "12 caractères"),
    ],
)
def test_the_record_rules_refuse_and_write_nothing(
    registrar_staff, reference, overrides, field, message
):
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference, **overrides)
    assert message in _messages(exc, field)
    assert not Student.objects.exists() and not AuditEntry.objects.exists()


def test_a_future_birth_date_is_refused(registrar_staff, reference):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference, birth_date=tomorrow, permanent_code="")
    assert _messages(exc, "birth_date") == str(services.BIRTH_DATE_FUTURE)


def test_an_inactive_program_or_org_unit_is_refused(registrar_staff, reference):
    Program.objects.update(is_active=False)
    OrgUnit.objects.update(is_active=False)
    reference["program"].refresh_from_db()
    reference["org_unit"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference)
    assert "n'est plus offert" in _messages(exc, "program")
    assert "n'est plus active" in _messages(exc, "org_unit")


def test_formula_and_markup_names_are_stored_as_typed(registrar_staff, reference):
    student = _admit(
        registrar_staff,
        reference,
        last_name='=HYPERLINK("http://x.example","x")',
        first_name="<script>alert(1)</script>",
        permanent_code="",
    )
    student.refresh_from_db()
    assert student.last_name == '=HYPERLINK("http://x.example","x")'
    assert student.first_name == "<script>alert(1)</script>"


class _Rival:
    """Another agent saving a student while this service saves: the rival is written
    (bulk_create, no save() of ours) during the first Student.full_clean, before its
    checks (full_clean then sees it) or after them (the unique constraint refuses the
    insert)."""

    def __init__(self, monkeypatch, when: str, **fields):
        self.fields = fields
        self.done = False
        original = Student.full_clean

        def full_clean(student, *args, **kwargs):
            if when == "after_check":
                original(student, *args, **kwargs)
            if not self.done:
                self.done = True
                rival = StudentFactory.build(**self.fields)
                rival.refresh_search_fields()
                Student.objects.bulk_create([rival])
            if when == "before_check":
                original(student, *args, **kwargs)

        monkeypatch.setattr(Student, "full_clean", full_clean)


RACE_MOMENTS = ["before_check", "after_check"]


@pytest.mark.parametrize("when", RACE_MOMENTS)
def test_a_generated_da_taken_meanwhile_takes_the_next(
    monkeypatch, registrar_staff, reference, when
):
    StudentFactory(da_number="5000000")
    _Rival(monkeypatch, when, da_number="5000001")
    student = _admit(registrar_staff, reference)
    assert student.da_number == "5000002"
    assert Student.objects.filter(da_number="5000001").exists()


@pytest.mark.parametrize("when", RACE_MOMENTS)
def test_a_typed_da_taken_meanwhile_is_a_field_error(monkeypatch, registrar_staff, reference, when):
    _Rival(monkeypatch, when, da_number="5000001", last_name="Roy", first_name="Luc")
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference, da_number="5000001")
    assert _messages(exc, "da_number") == "Le numéro DA 500-0001 est déjà celui de Roy, Luc."
    # (The simulated rival shares this test's transaction, so the rollback takes it too.)
    assert not Student.objects.filter(last_name="Tremblay").exists()
    assert not Admission.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize("when", RACE_MOMENTS)
def test_a_permanent_code_taken_meanwhile_is_a_field_error(
    monkeypatch, registrar_staff, reference, when
):
    _Rival(
        monkeypatch,
        when,
        permanent_code="TREE04570101",
        last_name="Tremblay",
        first_name="Ève",
        birth_date=datetime.date(2001, 7, 4),
        sex="F",
    )
    with pytest.raises(ValidationError) as exc:
        _admit(registrar_staff, reference)
    assert "TREE04570101 est déjà celui de Tremblay, Ève" in _messages(exc, "permanent_code")
    assert not Student.objects.filter(first_name="Émilie").exists()


def test_the_permanent_code_rule_is_the_validators(reference):
    # The service reuses registrar.validators: the same message as the Django admin's.
    with pytest.raises(ValidationError) as exc:
        validators.check_permanent_code_consistency("TREE04570101", datetime.date(2001, 7, 5), "F")
    assert "ne correspond pas à la date de naissance (05/07/2001)" in " ".join(exc.value.messages)
