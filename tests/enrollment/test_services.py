"""Term records and course enrolments: every rule of the services, and their audit trail."""

import pytest
from django.core.exceptions import ValidationError

from enrollment import services
from enrollment.models import CourseEnrollment, TermRecord
from registrar.models import AuditEntry, CoursePrerequisite, PrerequisiteRule
from tests.factories import (
    AdmissionFactory,
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    StudentFactory,
    TermFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db
SCREEN = "Dossiers sessions"


@pytest.fixture
def lise():
    return AdmissionFactory(
        student=StudentFactory(last_name="Leblanc", first_name="Lise"),
        term=TermFactory(code="A-2017"),
    )


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# -- term records -----------------------------------------------------------------------


def test_create_a_term_record_from_an_admission_and_audit_it(lise, registrar_staff):
    h18 = TermFactory(code="H-2018")
    record = services.term_record_create(
        actor=registrar_staff, student=lise.student, admission=lise, term=h18, screen=SCREEN
    )
    assert (record.student, record.admission, record.term) == (lise.student, lise, h18)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.student, entry.screen) == (
        registrar_staff,
        "create",
        lise.student,
        SCREEN,
    )
    assert entry.changes["term"] == [None, "H-2018 Hiver 2018"]
    assert entry.changes["admission"] == [None, "JEE0K-17R-RA (A-2017)"]


def test_one_term_record_per_student_and_term(lise, registrar_staff):
    h18 = TermFactory(code="H-2018")
    services.term_record_create(
        actor=registrar_staff, student=lise.student, admission=lise, term=h18, screen=SCREEN
    )
    with pytest.raises(ValidationError) as excinfo:
        services.term_record_create(
            actor=registrar_staff, student=lise.student, admission=lise, term=h18, screen=SCREEN
        )
    assert excinfo.value.message_dict["term"] == [
        "L'étudiant a déjà un dossier pour la session H-2018."
    ]
    assert TermRecord.objects.count() == 1 and AuditEntry.objects.count() == 1


def test_term_record_only_from_the_students_own_admission(lise, registrar_staff):
    other = AdmissionFactory(term=lise.term)
    with pytest.raises(ValidationError) as excinfo:
        services.term_record_create(
            actor=registrar_staff,
            student=lise.student,
            admission=other,
            term=TermFactory(code="H-2018"),
            screen=SCREEN,
        )
    assert "n'est pas une admission de l'étudiant" in _messages(excinfo)
    assert not TermRecord.objects.exists() and not AuditEntry.objects.exists()


def test_update_changes_the_admission_and_audits_before_and_after(lise, registrar_staff):
    record = TermRecordFactory(admission=lise)
    other = AdmissionFactory(student=lise.student, term=TermFactory(code="H-2017"), grid_code="G2")
    services.term_record_update(
        actor=registrar_staff, term_record=record, admission=other, screen=SCREEN
    )
    record.refresh_from_db()
    assert record.admission == other
    entry = AuditEntry.objects.get()
    assert entry.action == "update"
    assert entry.changes == {"admission": ["JEE0K-17R-RA (A-2017)", "G2 (H-2017)"]}


def test_delete_refused_while_the_record_has_enrolments(registrar_staff):
    enrollment = CourseEnrollmentFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.term_record_delete(
            actor=registrar_staff, term_record=enrollment.term_record, screen=SCREEN
        )
    assert "contient des inscriptions-cours (1)" in _messages(excinfo)
    assert TermRecord.objects.exists()
    services.course_enrollment_delete(actor=registrar_staff, enrollment=enrollment, screen=SCREEN)
    services.term_record_delete(
        actor=registrar_staff, term_record=enrollment.term_record, screen=SCREEN
    )
    assert not TermRecord.objects.exists()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["delete", "delete"]


def test_copy_to_another_term_keeps_the_course_choices(registrar_staff):
    enrollment = CourseEnrollmentFactory(grade=88)
    a18 = TermFactory(code="A-2018")
    copy = services.term_record_copy(
        actor=registrar_staff, term_record=enrollment.term_record, term=a18, screen=SCREEN
    )
    copied = copy.enrollments.get()
    assert copy.term == a18 and copy.admission == enrollment.term_record.admission
    assert copied.course == enrollment.course
    assert not copied.is_assigned and copied.grade is None


# -- course enrolments -------------------------------------------------------------------


@pytest.fixture
def record(lise):
    return TermRecordFactory(admission=lise, term=TermFactory(code="H-2018"))


def test_enrol_with_the_windows_defaults(record, registrar_staff):
    group = CourseGroupFactory(term=record.term, capacity=30)
    enrollment = services.course_enrollment_create(
        actor=registrar_staff, term_record=record, course=group.course, group=group, screen=SCREEN
    )
    assert str(enrollment.funding_source) == "10 - Ministère de l'éducation"
    assert str(enrollment.prerequisite_rule) == "1 - Valider"
    assert str(enrollment.assignment_state) == "0 - Changement accepté"
    assert str(enrollment.census_status) == "0 - Non recensé"
    assert str(enrollment.rac_mode) == "SO - Sans objet"
    assert enrollment.assignment_priority == 0
    assert enrollment.org_unit == record.admission.org_unit
    entry = AuditEntry.objects.get(action="create")
    assert entry.changes["course"] == [None, str(group.course)]


def test_a_rac_group_sets_the_rac_mode(record, registrar_staff):
    group = CourseGroupFactory(term=record.term, rac_type="EE")
    enrollment = services.course_enrollment_create(
        actor=registrar_staff, term_record=record, course=group.course, group=group, screen=SCREEN
    )
    assert enrollment.rac_mode.code == "EE"


def test_enrolled_once_per_course(record, registrar_staff):
    group = CourseGroupFactory(term=record.term)
    kwargs = dict(term_record=record, course=group.course, group=group, screen=SCREEN)
    services.course_enrollment_create(actor=registrar_staff, **kwargs)
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(actor=registrar_staff, **kwargs)
    assert (
        f"L'étudiant est déjà inscrit au cours {group.course.number} à la session H-2018."
        in excinfo.value.message_dict["course"]
    )
    assert CourseEnrollment.objects.count() == 1


def test_group_of_another_course_or_term_is_refused(record, registrar_staff):
    course = CourseFactory()
    wrong_course = CourseGroupFactory(term=record.term, number="00990")
    wrong_term = CourseGroupFactory(course=course, term=TermFactory(code="A-2017"), number="00991")
    for group, message in (
        (wrong_course, f"Le groupe 00990 n'est pas un groupe du cours {course.number}."),
        (wrong_term, "Le groupe 00991 n'est pas offert à la session H-2018."),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.course_enrollment_create(
                actor=registrar_staff, term_record=record, course=course, group=group, screen=SCREEN
            )
        assert excinfo.value.message_dict["group"] == [message]
    assert not CourseEnrollment.objects.exists() and not AuditEntry.objects.exists()


def test_a_full_group_refuses_the_enrolment(record, registrar_staff):
    group = CourseGroupFactory(term=record.term, capacity=1, number="00992")
    CourseEnrollmentFactory(course=group.course, group=group, term_record__term=record.term)
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(
            actor=registrar_staff,
            term_record=record,
            course=group.course,
            group=group,
            screen=SCREEN,
        )
    assert "est complet (capacité : 1)." in _messages(excinfo)


def test_prerequisite_must_be_passed_in_an_earlier_term(lise, record, registrar_staff):
    first, second = CourseFactory(number="601-101-MQ"), CourseFactory(number="601-102-MQ")
    CoursePrerequisite.objects.create(course=second, prerequisite=first)
    group = CourseGroupFactory(course=second, term=record.term)
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(
            actor=registrar_staff, term_record=record, course=second, group=group, screen=SCREEN
        )
    assert excinfo.value.message_dict["course"] == [
        "Préalable non réussi : le cours 601-101-MQ doit être réussi à une session antérieure."
    ]
    earlier = TermRecordFactory(admission=lise, term=lise.term)  # A-2017
    CourseEnrollmentFactory(term_record=earlier, course=first, grade=59)
    with pytest.raises(ValidationError):  # 59 is a failure
        services.course_enrollment_create(
            actor=registrar_staff, term_record=record, course=second, group=group, screen=SCREEN
        )
    CourseEnrollment.objects.filter(course=first).update(grade=75)
    services.course_enrollment_create(
        actor=registrar_staff, term_record=record, course=second, group=group, screen=SCREEN
    )


def test_other_prerequisite_modes_skip_the_check_and_say_so(record, registrar_staff):
    first, second = CourseFactory(), CourseFactory()
    CoursePrerequisite.objects.create(course=second, prerequisite=first)
    group = CourseGroupFactory(course=second, term=record.term)
    services.course_enrollment_create(
        actor=registrar_staff,
        term_record=record,
        course=second,
        group=group,
        screen=SCREEN,
        prerequisite_rule=PrerequisiteRule.objects.get(code="2"),
    )
    entry = AuditEntry.objects.get()
    assert entry.changes["prerequisites_checked"] == [None, False]


def test_placeholder_course_and_ee_sr_group_carry_no_grade(record, registrar_staff):
    placeholder = CourseGroupFactory(
        course=CourseFactory(number="INS-TEE-RA", is_placeholder=True), term=record.term
    )
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(
            actor=registrar_staff,
            term_record=record,
            course=placeholder.course,
            group=placeholder,
            grade=80,
            screen=SCREEN,
        )
    assert excinfo.value.message_dict["grade"] == ["Un cours bidon ne porte pas de note."]
    no_result = CourseGroupFactory(term=record.term, rac_type="EE_SR")
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(
            actor=registrar_staff,
            term_record=record,
            course=no_result.course,
            group=no_result,
            grade=80,
            screen=SCREEN,
        )
    assert "EE SR (sans résultat) ne porte pas de note" in _messages(excinfo)


def test_grade_out_of_range(record, registrar_staff):
    group = CourseGroupFactory(term=record.term)
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_create(
            actor=registrar_staff,
            term_record=record,
            course=group.course,
            group=group,
            grade=101,
            screen=SCREEN,
        )
    assert excinfo.value.message_dict == {"grade": ["La note est comprise entre 0 et 100."]}
    assert not CourseEnrollment.objects.exists()


def test_update_audits_only_the_changed_fields(registrar_staff):
    enrollment = CourseEnrollmentFactory()
    services.course_enrollment_update(
        actor=registrar_staff, enrollment=enrollment, screen=SCREEN, grade=91, absences=2
    )
    entry = AuditEntry.objects.get()
    assert entry.changes == {"absences": [None, 2], "grade": [None, 91]}


def test_fictitious_group_number_instead_of_a_group(record, registrar_staff):
    course = CourseFactory()
    enrollment = services.course_enrollment_create(
        actor=registrar_staff,
        term_record=record,
        course=course,
        fictitious_group_number="99999",
        screen=SCREEN,
    )
    assert enrollment.group_number == "99999" and enrollment.is_assigned


def test_the_correspondence_grid_gives_the_rac_mode_of_a_group_number(record, registrar_staff):
    from registrar.models import RacCorrespondence

    course = CourseFactory(number="322-409-MV")
    RacCorrespondence.objects.create(course=course, group_number="00992", rac_type="EE_SR")
    enrollment = services.course_enrollment_create(
        actor=registrar_staff,
        term_record=record,
        course=course,
        fictitious_group_number="00992",
        screen=SCREEN,
    )
    assert enrollment.rac_mode.code == "ESR"
    with pytest.raises(ValidationError) as excinfo:
        services.course_enrollment_update(
            actor=registrar_staff, enrollment=enrollment, screen=SCREEN, grade=80
        )
    assert "EE SR (sans résultat) ne porte pas de note" in _messages(excinfo)
