"""Undoing an executed batch operation (« Annuler l'opération »): the reverse of what
enrollment.services.batch.run wrote, student by student, with its own report and audit
entries (enrollment.services.batch.trail)."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment, TermRecord
from enrollment.services.batch.operations import lock_operation, lock_rows
from enrollment.services.batch.trail import (
    ENROLLMENT_NAMED,
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
from registrar.models import AuditEntry, Student

Outcome = BatchLine.Outcome

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


def batch_operation_undo(*, actor, operation: BatchOperation) -> BatchRun:
    """Reverse an executed operation: delete the enrolments (and the term records, when
    nothing else was added to them) it created, put back the enrolments it changed, restore
    those it deleted. A student whose enrolment was changed or deleted since is left as is,
    with a refused line. Writes its own report (a BatchRun of kind undo and its lines) and
    audit entries, and marks the operation undone; runs once."""
    started = timezone.now()
    with transaction.atomic():
        op = lock_operation(operation)
        if op.status == BatchOperation.Status.UNDONE:
            raise ValidationError(ALREADY_UNDONE % {"number": op.pk})
        if op.status != BatchOperation.Status.EXECUTED:
            raise ValidationError(NOT_UNDOABLE)
        lock_rows(op)
        execution = op.runs.get(kind=BatchRun.Kind.EXECUTION, status=BatchRun.Status.DONE)
        written = list(
            execution.lines.filter(outcome__in=WRITING_OUTCOMES)
            .select_related("student")
            .order_by("position")
        )
        lines = _undo(op, written, actor=actor, when=started)
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


def _undo(op: BatchOperation, written: list[BatchLine], *, actor, when) -> list[UndoLine]:
    """Decide and apply the undo of each written line, in bulk."""
    trail = Trail(actor=actor, screen=undo_screen_of(op), when=when, names=code_names())
    current = CourseEnrollment.objects.select_related(*ENROLLMENT_NAMED).in_bulk(
        [line.enrollment_id for line in written if line.enrollment_id]
    )
    record_ids = {line.term_record_id for line in written if line.term_record_id}
    records = TermRecord.objects.select_related("student", "term", "admission__term").in_bulk(
        record_ids
    )
    enrolled_in_course = set(
        CourseEnrollment.objects.filter(
            term_record_id__in=record_ids, course=op.course
        ).values_list("term_record_id", flat=True)
    )
    enrollment_counts = dict(
        CourseEnrollment.objects.filter(term_record_id__in=record_ids)
        .values_list("term_record_id")
        .annotate(n=Count("pk"))
        .values_list("term_record_id", "n")
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
                if enrollment_counts.get(record.pk, 0) > 1:
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
        CourseEnrollment.objects.filter(pk__in=removed).delete()
    if records_removed:
        # Their only enrolment was deleted just above (the PROTECT relation is empty): a
        # plain DELETE spares the collector's query per hundred records.
        TermRecord.objects.filter(pk__in=records_removed)._raw_delete(TermRecord.objects.db)
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
