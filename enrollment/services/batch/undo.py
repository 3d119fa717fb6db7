"""Undoing an executed batch operation (« Annuler l'opération »): the reverse of what
enrollment.services.batch.run wrote, student by student, with its own report and audit
entries (enrollment.services.batch.trail)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment, TermRecord
from enrollment.services.batch.operations import lock_operation, lock_rows
from enrollment.services.batch.trail import (
    ENROLLMENT_RELATED,
    MODIFIED_COLUMNS,
    MODIFIED_FIELDS,
    WRITING_OUTCOMES,
    Trail,
    code_names,
    report_line,
    totals,
    undo_screen_of,
)
from enrollment.services.records import ENROLLMENT_AUDITED, TERM_RECORD_AUDITED
from registrar.bulk import bulk_insert
from registrar.models import Admission, AuditEntry, Course, CourseGroup, Student, Term

Outcome = BatchLine.Outcome

# What undo reads of the execution's lines and their students (report_line, the audit).
_LINE_COLUMNS = (
    "position",
    "outcome",
    "term_record_id",
    "enrollment_id",
    "enrollment_stamp",
    "before",
    "student__id",
    "student__da_number",
    "student__last_name",
    "student__first_name",
)

# The share of a job's progress bar reached once the undo is checked, before its one
# transaction; the end of the transaction fills the rest.
PREPARED_SHARE = 10

NOT_UNDOABLE = _("Seule une opération exécutée (et pas encore annulée) peut être annulée.")
ALREADY_UNDONE = _("L'opération n° %(number)s a déjà été annulée.")


@dataclass
class UndoLine:
    """One written line of the execution and what its undo did (a report line to be)."""

    position: int
    student: Student
    outcome: str = Outcome.UNDONE
    reason: str = ""
    params: dict = field(default_factory=dict)
    record: TermRecord | None = None
    enrollment: CourseEnrollment | None = None
    before_values: dict = field(default_factory=dict)
    writes: bool = False


def batch_operation_undo(
    *, actor, operation: BatchOperation, progress: Callable[[int, int], None] | None = None
) -> BatchRun:
    """Reverse an executed operation: delete the enrolments (and the term records, when
    nothing else was added to them) it created, put back the enrolments it changed, restore
    those it deleted. A student whose enrolment was changed or deleted since is left as is,
    with a refused line. Writes its own report (a BatchRun of kind undo and its lines) and
    audit entries, and marks the operation undone; runs once.

    With ``progress`` (a tracked job, enrollment/tasks.py), the operation is checked first
    outside any transaction — refused early, nothing locked — and progress is reported
    before the one transaction, whose own writes no one could read before it commits
    (decision docs/decisions/0021-long-work-as-jobs.md)."""
    started = timezone.now()
    if progress is not None:
        progress(0, 100)
        _check_undoable(BatchOperation.objects.get(pk=operation.pk))
        progress(PREPARED_SHARE, 100)
    with transaction.atomic():
        op = lock_operation(operation)
        _check_undoable(op)
        lock_rows(op)
        execution = op.runs.get(kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE)
        written = list(
            execution.lines.filter(outcome__in=WRITING_OUTCOMES)
            .select_related("student")
            .only(*_LINE_COLUMNS)
            .order_by("position")
        )
        lines = _undo(op, execution, written, actor=actor, when=started)
        run = BatchRun.objects.create(
            operation=op,
            kind=BatchRun.Kind.UNDO,
            status=BatchRun.Status.DONE,
            run_by=actor,
            started_at=started,
            finished_at=started,
            line_count=len(lines),
        )
        report = [report_line(run, line) for line in lines]
        bulk_insert(report)
        run.totals = totals(report)
        run.finished_at = timezone.now()
        run.save(update_fields=["totals", "finished_at"])
        op.status = BatchOperation.Status.UNDONE
        op.save(update_fields=["status", "updated_at"])
    return run


def _check_undoable(op: BatchOperation) -> None:
    """Refuse the undo of an operation not executed, or undone already."""
    if op.status == BatchOperation.Status.UNDONE:
        raise ValidationError(ALREADY_UNDONE % {"number": op.pk})
    if op.status != BatchOperation.Status.EXECUTED:
        raise ValidationError(NOT_UNDOABLE)


def _undo(
    op: BatchOperation, execution: BatchRun, written: list[BatchLine], *, actor, when
) -> list[UndoLine]:
    """Decide and apply the undo of each written line, in bulk.

    Reads by subqueries on the execution's lines rather than lists of 10,000 ids, only the
    columns needed, and no join repeated per row: the few courses, groups and terms the
    rows name are read once and shared (bench/batch_enrollment.py measures it against the
    execution; issue 16 asks for at most twice its time)."""
    trail = Trail(actor=actor, screen=undo_screen_of(op), when=when, names=code_names())
    by_record = {line.term_record_id: line.student for line in written if line.term_record_id}

    def ids_of(column: str, *outcomes: str):
        return BatchLine.objects.filter(run=execution, outcome__in=outcomes).values(column)

    current = {
        enrollment.pk: enrollment
        for enrollment in CourseEnrollment.objects.filter(
            pk__in=ids_of(
                "enrollment_id", Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED, Outcome.MODIFIED
            )
        )
    }
    records = {
        record.pk: record
        for record in TermRecord.objects.filter(
            pk__in=ids_of("term_record_id", *WRITING_OUTCOMES)
        ).only("pk", "student_id", "admission_id", "term_id", "updated_at")
    }
    _share_related(op, current, records, by_record, trail.names)
    # Another enrolment in the record a line created: the record stays.
    shared_records = set(
        CourseEnrollment.objects.filter(
            term_record_id__in=ids_of("term_record_id", Outcome.RECORD_AND_ENROLLED)
        )
        .values("term_record_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("term_record_id", flat=True)
    )
    # A deleted enrolment whose student was enrolled in the course again since.
    enrolled_in_course = set(
        CourseEnrollment.objects.filter(
            term_record_id__in=ids_of("term_record_id", Outcome.DELETED), course=op.course
        ).values_list("term_record_id", flat=True)
    )
    removed, restored_changes, recreated, records_removed = [], [], [], []
    result = []
    for line in written:
        undo = UndoLine(position=line.position, student=line.student)
        result.append(undo)
        enrollment = current.get(line.enrollment_id)
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED, Outcome.MODIFIED):
            if enrollment is None:
                undo.outcome, undo.reason = Outcome.REFUSED, "gone"
                continue
            if enrollment.updated_at != line.enrollment_stamp:
                undo.outcome, undo.reason = Outcome.REFUSED, "changed_since"
                continue
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED):
            removed.append(enrollment.pk)
            before = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(AuditEntry.Action.DELETE, enrollment, line.student_id, before=before)
            undo.reason, undo.params = "undone_enrolled", {"course": op.course.number}
            record = records.get(line.term_record_id)
            if line.outcome == Outcome.RECORD_AND_ENROLLED and record is not None:
                stamp = line.before.get("term_record_stamp")
                if record.pk in shared_records:
                    undo.reason = "record_kept"
                elif stamp and record.updated_at != datetime.datetime.fromisoformat(stamp):
                    undo.reason = "record_changed"
                else:
                    records_removed.append(record.pk)
                    undo.reason, undo.params = "undone_record", {"term": op.term.code}
                    before = trail.snapshot(record, TERM_RECORD_AUDITED)
                    trail.add(AuditEntry.Action.DELETE, record, line.student_id, before=before)
        elif line.outcome == Outcome.MODIFIED:
            before = trail.snapshot(enrollment, MODIFIED_FIELDS)
            for attname in MODIFIED_COLUMNS:
                setattr(enrollment, attname, line.before.get(attname))
            enrollment.updated_at = when
            restored_changes.append((enrollment, before, line.student))
            undo.reason = "undone_modified"
        elif line.outcome == Outcome.DELETED:
            record = records.get(line.term_record_id)
            if record is None:
                undo.outcome, undo.reason = Outcome.REFUSED, "record_gone"
                continue
            if record.pk in enrolled_in_course:
                undo.outcome, undo.reason = Outcome.REFUSED, "reenrolled"
                continue
            recreated.append(CourseEnrollment(**line.before))
            undo.reason = "undone_deleted"
    if removed:
        _delete_removed(execution, removed)
    if records_removed:
        created = {
            line.term_record_id
            for line in written
            if line.outcome == Outcome.RECORD_AND_ENROLLED and line.term_record_id
        }
        _delete_records(execution, records_removed, kept=created - set(records_removed))
    if restored_changes:
        changed = [enrollment for enrollment, _b, _s in restored_changes]
        CourseEnrollment.objects.bulk_update(changed, [*MODIFIED_FIELDS, "updated_at"])
        # Read back with the relations the audit shows (the restored ids are plain values).
        fresh = CourseEnrollment.objects.select_related(*ENROLLMENT_RELATED).in_bulk(
            [enrollment.pk for enrollment in changed]
        )
        for enrollment, before, student in restored_changes:
            restored = fresh[enrollment.pk]
            after = trail.snapshot(restored, MODIFIED_FIELDS)
            trail.add(AuditEntry.Action.UPDATE, restored, student, before=before, after=after)
    if recreated:
        bulk_insert(recreated)
        fresh = CourseEnrollment.objects.select_related(*ENROLLMENT_RELATED).in_bulk(
            [enrollment.pk for enrollment in recreated]
        )
        for enrollment in fresh.values():
            after = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(
                AuditEntry.Action.CREATE, enrollment, enrollment.term_record.student_id, after=after
            )
    trail.save()
    return result


def _share_related(
    op: BatchOperation,
    enrollments: dict[int, CourseEnrollment],
    records: dict[int, TermRecord],
    students: dict[int, Student],
    names: dict,
) -> None:
    """Give the enrolments and term records read plain what their audit snapshot and their
    str() name — course, group, parent course, term record, student, term, admission —,
    each distinct row read once (a few courses and groups, one term) and shared, and the
    admissions named from two columns: no model built per row for a join."""
    course_ids = {e.course_id for e in enrollments.values()}
    course_ids |= {e.parent_course_id for e in enrollments.values() if e.parent_course_id}
    courses = Course.objects.in_bulk(course_ids)
    groups = CourseGroup.objects.in_bulk({e.group_id for e in enrollments.values() if e.group_id})
    terms = Term.objects.in_bulk({r.term_id for r in records.values()} | {op.term_id})
    for group in groups.values():
        group_course = courses.get(group.course_id)
        if group_course is None:
            group_course = courses[group.course_id] = Course.objects.get(pk=group.course_id)
        _cache(group, "course", group_course)
        _cache(group, "term", terms.get(group.term_id) or op.term)
        names[(CourseGroup, group.pk)] = str(group)
    for course in courses.values():
        names[(Course, course.pk)] = str(course)
    for record in records.values():
        _cache(record, "term", terms[record.term_id])
        student = students.get(record.pk)
        if student is not None and student.pk == record.student_id:
            _cache(record, "student", student)
    for enrollment in enrollments.values():
        _cache(enrollment, "course", courses[enrollment.course_id])
        if enrollment.group_id:
            _cache(enrollment, "group", groups[enrollment.group_id])
        record = records.get(enrollment.term_record_id)
        if record is not None:
            _cache(enrollment, "term_record", record)
    admissions = Admission.objects.filter(
        pk__in={r.admission_id for r in records.values()}
    ).values_list("pk", "grid_code", "term__code")
    names.update(
        ((Admission, pk), f"{grid_code} ({term_code})") for pk, grid_code, term_code in admissions
    )
    names.update(((Term, term.pk), str(term)) for term in terms.values())


def _cache(instance, relation: str, related) -> None:
    """Set ``instance``'s related object as select_related would, without a query."""
    instance._meta.get_field(relation).set_cached_value(instance, related)


def _delete_removed(execution: BatchRun, removed: list[int]) -> None:
    """Delete the enrolments the execution created that undo removes — those still as the
    execution left them (same ``updated_at``) —, by a join to its lines rather than a list
    of ids. The rows are locked (lock_rows): the count must be the one decided."""
    as_left = BatchLine.objects.filter(
        run=execution,
        outcome__in=(Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED),
        enrollment_id=OuterRef("pk"),
        enrollment_stamp=OuterRef("updated_at"),
    )
    deleted, _per_model = CourseEnrollment.objects.filter(Exists(as_left)).delete()
    if deleted != len(removed):
        raise RuntimeError(f"Undo decided {len(removed)} enrolments to delete, found {deleted}.")


def _delete_records(execution: BatchRun, records_removed: list[int], *, kept: set[int]) -> None:
    """Delete the term records the execution created that undo removes: those of its lines
    « Dossier session créé et inscrit », but the ones kept (refused, changed, holding
    another enrolment) — few, listed. Their only enrolment was deleted just above (the
    PROTECT relation is empty): a plain DELETE spares the collector's query per hundred
    records."""
    records = TermRecord.objects.filter(
        pk__in=BatchLine.objects.filter(run=execution, outcome=Outcome.RECORD_AND_ENROLLED).values(
            "term_record_id"
        )
    )
    if kept:
        records = records.exclude(pk__in=kept)
    deleted = records._raw_delete(TermRecord.objects.db)
    if deleted != len(records_removed):
        raise RuntimeError(
            f"Undo decided {len(records_removed)} term records to delete, found {deleted}."
        )
