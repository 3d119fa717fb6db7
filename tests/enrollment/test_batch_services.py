"""Batch enrolment operations: selection, simulation, execution, undo, and their rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment import services
from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment, TermRecord
from enrollment.services import batch
from registrar.models import (
    AuditEntry,
    Course,
    CourseGroup,
    CoursePrerequisite,
    RacCorrespondence,
    RacMode,
    Student,
    Term,
)
from tests.enrollment.batch_support import GUIDE_DA, bulk_students, make_operation
from tests.factories import (
    AdmissionFactory,
    CourseEnrollmentFactory,
    CourseFactory,
    CourseGroupFactory,
    StudentFactory,
    TermRecordFactory,
)

pytestmark = pytest.mark.django_db
Outcome = BatchLine.Outcome


def _outcomes(run: BatchRun) -> list[tuple[str, str]]:
    return list(run.lines.order_by("position").values_list("da_number", "outcome"))


def test_simulation_reports_every_student_and_writes_nothing(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    assert run.kind == BatchRun.Kind.SIMULATION and run.status == BatchRun.Status.DONE
    assert _outcomes(run) == [(da, Outcome.RECORD_AND_ENROLLED) for da in GUIDE_DA]
    assert run.totals == {Outcome.RECORD_AND_ENROLLED: 5}
    assert TermRecord.objects.count() == 0
    assert CourseEnrollment.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.SIMULATED
    line = run.lines.get(position=1)
    assert (line.da_display, line.full_name) == ("123-4567", "Leblanc, Lise")


def test_execution_enrols_creates_term_records_and_audits_naming_themake_operation(
    guide, registrar_staff
):
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert run.kind == BatchRun.Kind.EXECUTION and run.status == BatchRun.Status.DONE
    assert _outcomes(run) == [(da, Outcome.RECORD_AND_ENROLLED) for da in GUIDE_DA]
    assert run.compared_with is not None and run.differences == 0
    enrollments = CourseEnrollment.objects.filter(group=guide["group"])
    assert enrollments.count() == 5
    lise = enrollments.select_related("rac_mode", "assignment_state", "org_unit").get(
        term_record__student__da_number="1234567"
    )
    # The group's RAC type (EE) gives the RAC mode; the operation's assignment state.
    assert (lise.rac_mode.code, lise.assignment_state.code, lise.org_unit.code) == (
        "EE",
        "0",
        "RA",
    )
    assert lise.term_record.admission.grid_code == "JEE0K-17R-RA"
    screen = f"Inscription en lot n° {operation.pk}"
    entries = AuditEntry.objects.filter(student__da_number="1234567")
    assert sorted(entries.values_list("screen", "action")) == [
        (screen, "create"),
        (screen, "create"),
    ]
    assert entries.get(object_repr__startswith="INS-TEE-RA").changes["group"][1] == (
        "INS-TEE-RA gr. 08459 (H-2018)"
    )
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.EXECUTED


def test_an_operation_executes_once(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    with pytest.raises(ValidationError, match="a déjà été exécutée"):
        batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    with pytest.raises(ValidationError, match="a déjà été exécutée"):
        batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    assert CourseEnrollment.objects.count() == 5
    assert operation.runs.filter(kind=BatchRun.Kind.EXECUTION).count() == 1


def test_execution_says_which_lines_differ_from_the_simulation(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    # Between the simulation and the execution, Lise gets her H-2018 record by hand.
    lise = guide["students"][0]
    services.term_record_create(
        actor=registrar_staff,
        student=lise,
        admission=lise.admissions.get(),
        term=guide["term"],
        screen="test",
    )
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert run.differences == 1
    line = run.lines.get(da_number="1234567")
    assert (line.outcome, line.simulated_outcome) == (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED)
    assert run.lines.exclude(simulated_outcome="").count() == 1


def test_without_creating_term_records_students_without_one_are_refused(guide, registrar_staff):
    lise = guide["students"][0]
    TermRecordFactory(student=lise, admission=lise.admissions.get(), term=guide["term"])
    operation = make_operation(registrar_staff, guide, create_term_record=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    # Tout ou rien (the default): four refusals, so nothing is written for anyone.
    assert run.status == BatchRun.Status.REFUSED
    assert run.totals == {Outcome.ENROLLED: 1, Outcome.REFUSED: 4}
    assert CourseEnrollment.objects.count() == 0
    refused = run.lines.get(da_number="2345678")
    assert refused.message == (
        "Aucun dossier session H-2018 et « Créer un dossier session » est à N-Non."
    )
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.REFUSED and operation.is_editable


def test_without_all_or_nothing_accepted_lines_are_written(guide, registrar_staff):
    lise = guide["students"][0]
    TermRecordFactory(student=lise, admission=lise.admissions.get(), term=guide["term"])
    operation = make_operation(
        registrar_staff, guide, create_term_record=False, all_or_nothing=False
    )
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert run.status == BatchRun.Status.DONE
    assert list(CourseEnrollment.objects.values_list("term_record__student", flat=True)) == [
        lise.pk
    ]


def test_refusals_inactive_no_admission_full_group_prerequisite(guide, registrar_staff):
    course = CourseFactory(number="322-500-MV")
    CoursePrerequisite.objects.create(
        course=course, prerequisite=Course.objects.get(number="322-409-MV")
    )
    group = CourseGroupFactory(course=course, term=guide["term"], number="00500", capacity=10)
    students = guide["students"]
    # Passed the prerequisite in A-2017: Lise only.
    CourseEnrollmentFactory(
        term_record=TermRecordFactory(
            student=students[0],
            admission=students[0].admissions.get(),
            term=Term.objects.get(code="A-2017"),
        ),
        course=Course.objects.get(number="322-409-MV"),
        grade=75,
    )
    operation = make_operation(
        registrar_staff,
        guide,
        course=course,
        group=group,
        all_or_nothing=False,
        students=students[:1],
    )
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    assert _outcomes(run) == [("1234567", Outcome.RECORD_AND_ENROLLED)]

    inactive = StudentFactory(is_active=True)
    AdmissionFactory(student=inactive)
    without_admission = StudentFactory()
    operation = make_operation(
        registrar_staff,
        guide,
        course=course,
        group=group,
        all_or_nothing=False,
        students=[students[1], inactive, without_admission],
    )
    Student.objects.filter(pk=inactive.pk).update(is_active=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    messages = dict((line.student_id, (line.outcome, line.message)) for line in run.lines.all())
    assert messages[students[1].pk] == (
        Outcome.REFUSED,
        "Préalable non réussi à une session antérieure : 322-409-MV.",
    )
    assert messages[inactive.pk] == (Outcome.REFUSED, "Dossier inactif.")
    assert messages[without_admission.pk] == (
        Outcome.REFUSED,
        "Aucune admission en cours : le dossier session H-2018 ne peut être créé.",
    )


def test_capacity_is_counted_student_by_student(guide, registrar_staff):
    CourseGroup.objects.filter(pk=guide["group"].pk).update(capacity=3)
    guide["group"].refresh_from_db()
    operation = make_operation(registrar_staff, guide, all_or_nothing=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert [outcome for _da, outcome in _outcomes(run)] == [
        Outcome.RECORD_AND_ENROLLED,
        Outcome.RECORD_AND_ENROLLED,
        Outcome.RECORD_AND_ENROLLED,
        Outcome.REFUSED,
        Outcome.REFUSED,
    ]
    assert run.lines.get(position=4).message == "Le groupe 08459 est complet (capacité : 3)."
    assert CourseEnrollment.objects.filter(group=guide["group"]).count() == 3


def test_already_enrolled_and_modified(guide, registrar_staff):
    lise, luc = guide["students"][:2]
    other_group = CourseGroupFactory(course=guide["course"], term=guide["term"], number="08460")
    same = CourseEnrollmentFactory(
        term_record=TermRecordFactory(
            student=lise, admission=lise.admissions.get(), term=guide["term"]
        ),
        course=guide["course"],
        group=guide["group"],
        rac_mode=RacMode.objects.get(code="EE"),
    )
    moved = CourseEnrollmentFactory(
        term_record=TermRecordFactory(
            student=luc, admission=luc.admissions.get(), term=guide["term"]
        ),
        course=guide["course"],
        group=other_group,
    )
    operation = make_operation(registrar_staff, guide, students=[lise, luc], simulation=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert _outcomes(run) == [("1234567", Outcome.UNCHANGED), ("2345678", Outcome.MODIFIED)]
    assert run.lines.get(da_number="2345678").message == "Groupe 08460 → 08459 ; RAC SO → EE"
    moved.refresh_from_db()
    same.refresh_from_db()
    assert moved.group == guide["group"] and same.group == guide["group"]
    entry = AuditEntry.objects.get(screen=f"Inscription en lot n° {operation.pk}")
    assert entry.action == "update"
    assert entry.changes["group"] == [
        "INS-TEE-RA gr. 08460 (H-2018)",
        "INS-TEE-RA gr. 08459 (H-2018)",
    ]

    undo = batch.batch_operation_undo(actor=registrar_staff, operation=operation)
    assert _outcomes(undo) == [("2345678", Outcome.UNDONE)]
    moved.refresh_from_db()
    assert moved.group == other_group


def test_withdrawal_deletes_only_enrolments_of_the_group_without_grade(guide, registrar_staff):
    lise, luc, leo, lucie = guide["students"][:4]

    def enrol(student, **fields):
        record = TermRecordFactory(
            student=student, admission=student.admissions.get(), term=guide["term"]
        )
        return CourseEnrollmentFactory(term_record=record, course=guide["course"], **fields)

    withdrawn = enrol(lise, group=guide["group"], absences=2)
    enrol(luc, group=CourseGroupFactory(course=guide["course"], term=guide["term"], number="00001"))
    enrol(leo, group=guide["group"], grade=80)
    operation = make_operation(
        registrar_staff,
        guide,
        students=[lise, luc, leo, lucie],
        action=BatchOperation.Action.DELETE,
        all_or_nothing=False,
    )
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert _outcomes(run) == [
        ("1234567", Outcome.DELETED),
        ("2345678", Outcome.REFUSED),
        ("3456789", Outcome.REFUSED),
        ("4567890", Outcome.NOT_ENROLLED),
    ]
    messages = [line.message for line in run.lines.order_by("position")]
    assert messages[1] == "Inscrit dans le groupe 00001, pas dans le groupe 08459."
    assert messages[2] == "L'inscription porte une note (80) : elle n'est pas supprimée."
    assert not CourseEnrollment.objects.filter(pk=withdrawn.pk).exists()
    assert AuditEntry.objects.get(action="delete").screen == f"Inscription en lot n° {operation.pk}"

    undo = batch.batch_operation_undo(actor=registrar_staff, operation=operation)
    assert _outcomes(undo) == [("1234567", Outcome.UNDONE)]
    restored = CourseEnrollment.objects.get(term_record__student=lise, course=guide["course"])
    assert (restored.group, restored.absences, restored.funding_source.code) == (
        guide["group"],
        2,
        "10",
    )


def test_undo_removes_what_the_operation_created_unless_changed_since(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    lise, luc, leo, lucie = guide["students"][:4]
    # Since the operation: Lise's enrolment is changed, Luc's record gets another course,
    # Lucie's record is changed (its admission chosen again).
    services.term_record_update(
        actor=registrar_staff,
        term_record=TermRecord.objects.get(student=lucie, term=guide["term"]),
        admission=lucie.admissions.get(),
        screen="test",
    )
    services.course_enrollment_update(
        actor=registrar_staff,
        enrollment=CourseEnrollment.objects.get(term_record__student=lise),
        screen="test",
        absences=1,
    )
    luc_record = TermRecord.objects.get(student=luc, term=guide["term"])
    CourseEnrollmentFactory(
        term_record=luc_record, course=Course.objects.get(number="601-103-MQ"), group=None
    )
    run = batch.batch_operation_undo(actor=registrar_staff, operation=operation)
    outcomes = dict(run.lines.values_list("da_number", "outcome"))
    assert outcomes == {
        "1234567": Outcome.REFUSED,
        "2345678": Outcome.UNDONE,
        "3456789": Outcome.UNDONE,
        "4567890": Outcome.UNDONE,
        "5678901": Outcome.UNDONE,
    }
    messages = {line.da_number: line.message for line in run.lines.all()}
    assert messages["1234567"] == (
        "Le dossier a été modifié depuis l'opération : rien n'est annulé pour cet étudiant."
    )
    assert messages["2345678"] == (
        "Inscription retirée ; le dossier session est conservé : il porte d'autres inscriptions."
    )
    assert messages["3456789"] == "Inscription retirée et dossier session H-2018 supprimé."
    assert messages["4567890"] == (
        "Inscription retirée ; le dossier session est conservé : il a été modifié depuis "
        "l'opération."
    )
    assert CourseEnrollment.objects.filter(course=guide["course"]).count() == 1
    kept = TermRecord.objects.filter(term=guide["term"]).values_list("student", flat=True)
    assert sorted(kept) == sorted([lise.pk, luc.pk, lucie.pk])
    assert not TermRecord.objects.filter(student=leo).exists()
    history = AuditEntry.objects.filter(student=leo, screen__startswith="Annulation")
    assert sorted(history.values_list("action", flat=True)) == ["delete", "delete"]
    operation.refresh_from_db()
    assert operation.status == BatchOperation.Status.UNDONE
    with pytest.raises(ValidationError, match="a déjà été annulée"):
        batch.batch_operation_undo(actor=registrar_staff, operation=operation)


def test_only_an_executed_operation_is_undone(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    with pytest.raises(ValidationError, match="Seule une opération exécutée"):
        batch.batch_operation_undo(actor=registrar_staff, operation=operation)


def test_starting_needs_every_option_and_a_selection(registrar_staff):
    operation = batch.batch_operation_save(
        actor=registrar_staff,
        term=None,
        create_term_record=True,
        simulation=True,
        all_or_nothing=True,
        assignment_state=None,
        action=BatchOperation.Action.ADD,
        course=None,
        group=None,
    )
    with pytest.raises(ValidationError) as excinfo:
        batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=True)
    errors = excinfo.value.message_dict
    assert errors["term"] == ["Saisissez la session."]
    assert errors["course"] == ["Saisissez le numéro du cours."]
    assert errors["group_number"] == ["Saisissez le numéro de groupe."]
    assert errors["assignment_state"] == ["Choisissez l'état d'assignation."]
    assert errors["selection"] == [
        "Aucun étudiant sélectionné : ajoutez au moins un étudiant à la sélection."
    ]
    assert not BatchRun.objects.exists()


def test_a_group_of_another_course_or_term_is_refused(guide, registrar_staff):
    other_course = CourseGroup.objects.get(course__number="601-103-MQ", number="01010")
    other_term = CourseGroup.objects.get(course__number="322-409-MV", term__code="A-2017")
    options = {
        "create_term_record": True,
        "simulation": True,
        "all_or_nothing": True,
        "assignment_state": None,
        "action": "A",
    }
    with pytest.raises(ValidationError) as excinfo:
        batch.batch_operation_save(
            actor=registrar_staff,
            term=guide["term"],
            course=guide["course"],
            group=other_course,
            **options,
        )
    assert excinfo.value.message_dict["group_number"] == [
        "Le groupe 01010 n'est pas un groupe du cours INS-TEE-RA."
    ]
    with pytest.raises(ValidationError) as excinfo:
        batch.batch_operation_save(
            actor=registrar_staff,
            term=guide["term"],
            course=other_term.course,
            group=other_term,
            **options,
        )
    assert excinfo.value.message_dict["group_number"] == [
        "Le groupe 00992 n'est pas offert à la session H-2018."
    ]
    assert not BatchOperation.objects.exists()


def test_selection_adds_each_student_once_and_refuses_inactive_ones(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, students=guide["students"][:2])
    added = batch.batch_selection_add(
        actor=registrar_staff,
        operation=operation,
        student_ids=[s.pk for s in guide["students"][1:]],
    )
    assert added == 3
    operation.refresh_from_db()
    assert operation.selection_count == 5
    assert list(operation.selection.values_list("student__da_number", flat=True)) == GUIDE_DA
    inactive = StudentFactory(is_active=False)
    with pytest.raises(ValidationError, match="inconnus ou inactifs"):
        batch.batch_selection_add(
            actor=registrar_staff, operation=operation, student_ids=[inactive.pk]
        )
    removed = batch.batch_selection_remove(
        actor=registrar_staff, operation=operation, student_ids=[guide["students"][0].pk]
    )
    operation.refresh_from_db()
    assert (removed, operation.selection_count) == (1, 4)


def test_selection_is_bounded(guide, registrar_staff, monkeypatch):
    monkeypatch.setattr(batch.operations, "MAX_SELECTION", 4)
    operation = make_operation(registrar_staff, guide, students=guide["students"][:4])
    with pytest.raises(ValidationError, match="au plus 4 étudiants : la sélection en compterait 5"):
        batch.batch_selection_add(
            actor=registrar_staff, operation=operation, student_ids=[guide["students"][4].pk]
        )


def test_an_executed_operation_can_no_longer_change(guide, registrar_staff):
    operation = make_operation(registrar_staff, guide, simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        batch.batch_selection_remove(actor=registrar_staff, operation=operation)
    with pytest.raises(ValidationError, match="ne peut plus être modifiée"):
        batch.batch_operation_delete(actor=registrar_staff, operation=operation)


@pytest.mark.parametrize("simulation", [True, False])
def test_queries_do_not_grow_with_the_number_ofbulk_students(guide, registrar_staff, simulation):
    students = bulk_students(110, guide)
    counts = []
    for chosen in (students[:10], students[10:]):
        operation = make_operation(registrar_staff, guide, students=chosen, simulation=simulation)
        with CaptureQueriesContext(connection) as queries:
            batch.batch_operation_run(
                actor=registrar_staff, operation=operation, simulation=simulation
            )
        counts.append(len(queries))
        if not simulation:
            with CaptureQueriesContext(connection) as queries:
                batch.batch_operation_undo(actor=registrar_staff, operation=operation)
            counts.append(len(queries))
    assert CourseEnrollment.objects.count() == 0  # simulated, or executed then undone
    half = len(counts) // 2
    assert counts[:half] == counts[half:], counts


def test_the_groups_rac_type_repairs_an_enrolment_saved_with_another(guide, registrar_staff):
    """Issue 10: the window saved « SO » in an EE group; the batch « A » puts the group's RAC
    back, by the same rule as the window (enrollment.services.records.rac_mode_of)."""
    lise = guide["students"][0]
    saved_with_so = CourseEnrollmentFactory(
        term_record=TermRecordFactory(
            student=lise, admission=lise.admissions.get(), term=guide["term"]
        ),
        course=guide["course"],
        group=guide["group"],
    )
    operation = make_operation(registrar_staff, guide, students=[lise], simulation=False)
    run = batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert _outcomes(run) == [("1234567", Outcome.MODIFIED)]
    assert run.lines.get().message == "RAC SO → EE"
    saved_with_so.refresh_from_db()
    assert saved_with_so.rac_mode.code == "EE"


def test_the_grid_line_gives_the_batch_its_rac_mode(guide, registrar_staff):
    """The grid's line for the course and group number wins over the group's own type, in
    the batch as in the window."""
    RacCorrespondence.objects.create(
        course=guide["course"], group_number=guide["group"].number, rac_type="FM"
    )
    operation = make_operation(registrar_staff, guide, simulation=False)
    batch.batch_operation_run(actor=registrar_staff, operation=operation, simulation=False)
    assert set(CourseEnrollment.objects.values_list("rac_mode__code", flat=True).distinct()) == {
        "FM"
    }
