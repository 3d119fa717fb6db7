"""The enrolment rules, written once in enrollment.rules: the individual window
(enrollment.services.records) and the batch plan (enrollment.services.batch.plan) refuse the
same student for the same reason, and accept the same student."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import rules, services
from enrollment.models import BatchLine, TermRecord
from enrollment.services import batch
from registrar.models import CourseGroup, CoursePrerequisite, RacCorrespondence
from tests.enrollment.batch_support import make_operation
from tests.factories import (
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    TermFactory,
    TermRecordFactory,
)

Outcome = BatchLine.Outcome
SCREEN = "Dossiers sessions"


def _record(student, term) -> TermRecord:
    return TermRecordFactory(student=student, admission=student.admissions.get(), term=term)


def _window(actor, record, course, group=None) -> dict[str, list[str]]:
    """What the window answers to an enrolment of ``record`` in ``course``: {} when it
    enrols, else its refusal by field."""
    try:
        services.course_enrollment_create(
            actor=actor, term_record=record, course=course, group=group, screen=SCREEN
        )
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _batch_line(actor, guide, student) -> BatchLine:
    """The simulated line of an « A » operation for ``student`` alone (nothing written)."""
    operation = make_operation(actor, guide, students=[student])
    run = batch.batch_operation_run(actor=actor, operation=operation, simulation=True)
    return run.lines.get()


# -- the group: its course and its term --------------------------------------------------


@pytest.mark.parametrize("mismatch", ["course", "term"])
def test_a_group_of_another_course_or_term_is_refused_alike(guide, registrar_staff, mismatch):
    if mismatch == "course":
        group = CourseGroupFactory(course=CourseFactory(), term=guide["term"], number="01001")
        expected = f"Le groupe 01001 n'est pas un groupe du cours {guide['course'].number}."
    else:
        group = CourseGroupFactory(
            course=guide["course"], term=TermFactory(code="A-2017"), number="01002"
        )
        expected = "Le groupe 01002 n'est pas offert à la session H-2018."
    refusal = rules.group_refusal(group, course=guide["course"], term=guide["term"])
    assert refusal == expected

    record = _record(guide["students"][0], guide["term"])
    assert _window(registrar_staff, record, guide["course"], group) == {"group": [expected]}

    with pytest.raises(ValidationError) as caught:
        make_operation(registrar_staff, guide, group=group)
    assert caught.value.message_dict == {"group_number": [expected]}


def test_a_group_of_the_course_and_term_is_no_refusal(guide):
    assert rules.group_refusal(guide["group"], course=guide["course"], term=guide["term"]) is None
    # An operation being prepared has no course or term yet: nothing to compare.
    assert rules.group_refusal(guide["group"], course=None, term=None) is None


# -- the group's capacity ----------------------------------------------------------------


def test_a_full_group_is_refused_by_both(guide, registrar_staff):
    lise, marc = guide["students"][:2]
    group = guide["group"]
    CourseGroup.objects.filter(pk=group.pk).update(capacity=1)
    group.refresh_from_db()
    taken = CourseEnrollmentFactory(
        term_record=_record(marc, guide["term"]), course=guide["course"], group=group
    )
    assert rules.seats_left(group) == 0
    assert not rules.has_seat(rules.seats_left(group))
    # The enrolment being changed does not count against itself.
    assert rules.seats_left(group, besides=taken) == 1

    record = _record(lise, guide["term"])
    line = _batch_line(registrar_staff, guide, lise)
    assert (line.outcome, line.message) == (
        Outcome.REFUSED,
        "Le groupe 08459 est complet (capacité : 1).",
    )
    assert _window(registrar_staff, record, guide["course"], group) == {
        "group": [f"Le groupe 08459 du cours {guide['course'].number} est complet (capacité : 1)."]
    }


def test_a_group_without_capacity_always_has_a_seat(guide):
    assert guide["group"].capacity is None
    with CaptureQueriesContext(connection) as queries:
        assert rules.seats_left(guide["group"]) is None
    assert len(queries) == 0
    assert rules.has_seat(None)


# -- prerequisites: passed at an earlier term --------------------------------------------


@pytest.mark.parametrize(
    ("passed_at", "grade", "refused"),
    [
        (None, None, True),  # never taken
        ("A-2017", 75, False),  # passed at an earlier term
        ("A-2017", 60, False),  # the pass mark itself
        ("A-2017", 59, True),  # failed
        ("A-2017", None, True),  # no grade yet
        ("H-2018", 90, True),  # passed at the same term: not earlier
        ("A-2018", 90, True),  # a later term
    ],
)
def test_prerequisites_are_judged_alike(guide, registrar_staff, passed_at, grade, refused):
    lise = guide["students"][0]
    first = CourseFactory(number="PRE-101-RA")
    CoursePrerequisite.objects.create(course=guide["course"], prerequisite=first)
    record = _record(lise, guide["term"])
    if passed_at is not None:
        earlier = record if passed_at == "H-2018" else _record(lise, TermFactory(code=passed_at))
        CourseEnrollmentFactory(term_record=earlier, course=first, group=None, grade=grade)

    missing = rules.missing_prerequisites(
        required=rules.prerequisites_of(guide["course"]),
        term=guide["term"],
        student_ids=[lise.pk],
    )
    assert missing == {lise.pk: ["PRE-101-RA"] if refused else []}

    line = _batch_line(registrar_staff, guide, lise)
    answer = _window(registrar_staff, record, guide["course"], guide["group"])
    if refused:
        assert (line.outcome, line.message) == (
            Outcome.REFUSED,
            "Préalable non réussi à une session antérieure : PRE-101-RA.",
        )
        assert answer == {
            "course": [
                "Préalable non réussi : le cours PRE-101-RA doit être réussi à une session "
                "antérieure."
            ]
        }
    else:
        assert line.outcome == Outcome.ENROLLED
        assert answer == {}


def test_missing_prerequisites_of_many_students_in_two_queries(guide):
    lise, marc, *others = guide["students"]
    first = CourseFactory(number="PRE-101-RA")
    second = CourseFactory(number="PRE-102-RA")
    for course in (first, second):
        CoursePrerequisite.objects.create(course=guide["course"], prerequisite=course)
    a17 = TermFactory(code="A-2017")
    CourseEnrollmentFactory(term_record=_record(lise, a17), course=first, group=None, grade=80)
    marc_a17 = _record(marc, a17)
    CourseEnrollmentFactory(term_record=marc_a17, course=first, group=None, grade=80)
    CourseEnrollmentFactory(term_record=marc_a17, course=second, group=None, grade=70)

    required = rules.prerequisites_of(guide["course"])
    assert list(required.values()) == ["PRE-101-RA", "PRE-102-RA"]
    ids = [student.pk for student in guide["students"]]
    with CaptureQueriesContext(connection) as queries:
        missing = rules.missing_prerequisites(
            required=required, term=guide["term"], student_ids=ids
        )
    assert len(queries) == 1
    assert missing[lise.pk] == ["PRE-102-RA"]
    assert missing[marc.pk] == []
    assert all(missing[s.pk] == ["PRE-101-RA", "PRE-102-RA"] for s in others)
    assert rules.missing_prerequisites(required={}, term=guide["term"], student_ids=ids) == {}


def test_earlier_terms_orders_by_year_then_season(guide):
    lise = guide["students"][0]
    for code in ("A-2017", "H-2018", "E-2018", "A-2018"):
        _record(lise, TermFactory(code=code))

    def before(code: str) -> list[str]:
        term = TermFactory(code=code)
        records = TermRecord.objects.filter(rules.earlier_terms(term, path="term"), student=lise)
        return list(
            records.order_by("term__year", "term__season").values_list("term__code", flat=True)
        )

    assert before("H-2018") == ["A-2017"]
    assert before("A-2018") == ["A-2017", "H-2018", "E-2018"]
    assert before("A-2017") == []


def test_other_prerequisite_rules_do_not_validate(guide):
    defaults = rules.default_codes()
    assert rules.validates_prerequisites(defaults["prerequisite_rule"])
    assert str(defaults["prerequisite_rule"]) == "1 - Valider"
    assert not rules.validates_prerequisites(None)


# -- the RAC mode a group number carries -------------------------------------------------


def test_the_rac_mode_of_a_group_is_the_same_for_both(guide, registrar_staff):
    lise = guide["students"][0]
    # The grid's line for the course and number wins over the group's own type (EE).
    RacCorrespondence.objects.create(
        course=guide["course"], group_number=guide["group"].number, rac_type="FM"
    )
    assert rules.rac_type_of(guide["course"], guide["group"]) == "FM"
    assert rules.rac_mode_of(guide["course"], guide["group"]).code == "FM"

    record = _record(lise, guide["term"])
    operation = make_operation(registrar_staff, guide, students=[lise], simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    enrolled_by_batch = record.enrollments.get()
    assert enrolled_by_batch.rac_mode.code == "FM"
    marc = guide["students"][1]
    enrolled_in_window = services.course_enrollment_create(
        actor=registrar_staff,
        term_record=_record(marc, guide["term"]),
        course=guide["course"],
        group=guide["group"],
        screen=SCREEN,
    )
    assert enrolled_in_window.rac_mode == enrolled_by_batch.rac_mode


def test_a_rac_mode_contradicting_the_group_is_refused(guide):
    carried = rules.rac_mode_of(guide["course"], guide["group"])
    assert carried.code == "EE"
    so = rules.default_codes()["rac_mode"]
    with pytest.raises(ValidationError) as caught:
        rules.check_rac_mode(so, carried, guide["group"], "")
    assert caught.value.message_dict == {
        "rac_mode": [
            "Le groupe 08459 porte le RAC EE - Épreuve d'évaluation (grille de correspondance "
            "cours/compétences) : un autre RAC ne peut pas être choisi."
        ]
    }
    rules.check_rac_mode(carried, carried, guide["group"], "")  # the same one: accepted
    rules.check_rac_mode(None, carried, guide["group"], "")  # none given: accepted
