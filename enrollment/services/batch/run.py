"""Running a batch operation (« Exécuter »): a simulation stores the plan
(enrollment.services.batch.plan) as its report; an execution applies it with bulk writes,
its audit entries and its report (enrollment.services.batch.trail)."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import BatchLine, BatchOperation, BatchRun, CourseEnrollment
from enrollment.services.batch.operations import (
    already_executed_message,
    check_ready,
    lock_operation,
    lock_rows,
)
from enrollment.services.batch.plan import Plan, plan_operation
from enrollment.services.batch.trail import (
    MODIFIED_COLUMNS,
    MODIFIED_FIELDS,
    Trail,
    plain,
    report_line,
    row_values,
    screen_of,
    totals,
)
from enrollment.services.records import ENROLLMENT_AUDITED, TERM_RECORD_AUDITED
from registrar.bulk import bulk_insert
from registrar.models import AuditEntry, Language, OrgUnit

Outcome = BatchLine.Outcome
# A tracked job's progress (registrar/jobs.py): called with (done, total).
Progress = Callable[[int, int], None]
# The share of a job's progress bar the planning outside the transaction fills (percent);
# the writing transaction, whose progress no one could read before it commits (its own
# writes are invisible until then), fills the rest at once.
PLANNING_SHARE = 50


def batch_operation_run(
    *,
    actor,
    operation: BatchOperation,
    simulation: bool,
    progress: Progress | None = None,
) -> BatchRun:
    """Run the operation (« Exécuter »): in simulation mode, store the plan as a report (a
    BatchRun and its BatchLines) and write nothing else; otherwise apply it — term records
    created, enrolments created, changed or deleted, one audit entry per change naming the
    operation — and store the report. With « Tout ou rien » (the default), a plan with a
    refused line writes nothing but its report. An execution is compared line by line with
    the latest simulation. The operation's status follows. Refused if the operation is
    incomplete or already executed.

    With ``progress`` (a tracked job, enrollment/tasks.py), the operation is first planned
    outside any transaction, reporting how far it is; then the transaction takes its locks
    and plans again (an execution always does: the rows may have changed meanwhile; a
    simulation keeps the first plan unless the operation changed since). Decision
    docs/decisions/0021-long-work-as-jobs.md."""
    started = timezone.now()
    planned = None
    if progress is not None:
        planned = _plan_outside(operation, progress)
        progress(PLANNING_SHARE, 100)
    with transaction.atomic():
        op = lock_operation(operation)
        if op.status in (BatchOperation.Status.EXECUTED, BatchOperation.Status.UNDONE):
            raise ValidationError(already_executed_message(op))
        check_ready(op)
        if not simulation:
            lock_rows(op)
        if simulation and planned is not None and _unchanged(planned.operation, op):
            plan = planned
            plan.operation = op
        else:
            plan = plan_operation(op)
        writes = not simulation and not (op.all_or_nothing and plan.refused)
        if writes:
            _apply(plan, actor=actor, when=started)
        run = BatchRun.objects.create(
            operation=op,
            kind=BatchRun.Kind.SIMULATION if simulation else BatchRun.Kind.EXECUTION,
            status=BatchRun.Status.DONE if simulation or writes else BatchRun.Status.REFUSED,
            run_by=actor,
            started_at=started,
            finished_at=started,
            line_count=len(plan.lines),
        )
        lines = [report_line(run, line) for line in plan.lines]
        if not simulation:
            run.compared_with, run.differences = _compare_with_simulation(op, lines)
        bulk_insert(lines)
        run.totals = totals(lines)
        run.finished_at = timezone.now()
        run.save(update_fields=["compared_with", "differences", "totals", "finished_at"])
        op.simulation = simulation
        if simulation:
            op.status = BatchOperation.Status.SIMULATED
        elif writes:
            op.status = BatchOperation.Status.EXECUTED
        else:
            op.status = BatchOperation.Status.REFUSED
        op.save(update_fields=["simulation", "status", "updated_at"])
    return run


def _plan_outside(operation: BatchOperation, progress: Progress) -> Plan:
    """The plan read without locks or transaction, its progress reported as the first
    PLANNING_SHARE percent; refused early (nothing read) when the operation cannot run."""
    op = BatchOperation.objects.select_related(
        "term", "course", "group__course", "group__term", "assignment_state"
    ).get(pk=operation.pk)
    if op.status in (BatchOperation.Status.EXECUTED, BatchOperation.Status.UNDONE):
        raise ValidationError(already_executed_message(op))
    check_ready(op)
    return plan_operation(
        op, progress=lambda done, total: progress(done * PLANNING_SHARE // total, 100)
    )


def _unchanged(planned: BatchOperation, locked: BatchOperation) -> bool:
    """Whether the operation's options and selection are still those it was planned with
    (every change to them, selection included, moves ``updated_at``)."""
    return (
        planned.updated_at == locked.updated_at
        and planned.selection_count == locked.selection_count
    )


def _apply(plan: Plan, *, actor, when: datetime.datetime) -> None:
    """Write the plan with bulk inserts and updates, and its audit entries; keep on each
    planned line what undo needs (the ids written and the updated_at left on them)."""
    op = plan.operation
    trail = Trail(actor=actor, screen=screen_of(op), when=when)
    new_records = [
        line.record
        for line in plan.lines
        if line.outcome == Outcome.RECORD_AND_ENROLLED and line.record.pk is None
    ]
    bulk_insert(new_records)
    for record in new_records:
        trail.add(
            AuditEntry.Action.CREATE,
            record,
            record.student_id,
            after=trail.snapshot(record, TERM_RECORD_AUDITED),
        )

    org_units = OrgUnit.objects.in_bulk(
        {line.record.admission.org_unit_id for line in plan.lines if line.record is not None}
    )
    languages = Language.objects.in_bulk(
        {line.student.language_id for line in plan.lines if line.student.language_id}
    )
    values = {k: v for k, v in plan.values.items() if not k.startswith("_")}
    created, modified, deleted = [], [], []
    for line in plan.lines:
        if line.outcome in (Outcome.ENROLLED, Outcome.RECORD_AND_ENROLLED):
            line.enrollment = CourseEnrollment(
                term_record=line.record,
                course=op.course,
                group=op.group,
                org_unit=org_units[line.record.admission.org_unit_id],
                language=languages.get(line.student.language_id) or plan.values["_language"],
                **values,
            )
            created.append(line.enrollment)
        elif line.outcome == Outcome.MODIFIED:
            enrollment = line.enrollment
            line.before_values = {
                attname: plain(getattr(enrollment, attname)) for attname in MODIFIED_COLUMNS
            }
            before = trail.snapshot(enrollment, MODIFIED_FIELDS)
            for name, value in line.changes.items():
                setattr(enrollment, name, value)
            enrollment.updated_at = when
            modified.append(enrollment)
            after = trail.snapshot(enrollment, MODIFIED_FIELDS)
            trail.add(
                AuditEntry.Action.UPDATE, enrollment, line.student.pk, before=before, after=after
            )
        elif line.outcome == Outcome.DELETED:
            enrollment = line.enrollment
            line.before_values = row_values(enrollment)
            deleted.append(enrollment.pk)
            before = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
            trail.add(AuditEntry.Action.DELETE, enrollment, line.student.pk, before=before)
    bulk_insert(created)
    for enrollment in created:
        after = trail.snapshot(enrollment, ENROLLMENT_AUDITED)
        student_id = enrollment.term_record.student_id
        trail.add(AuditEntry.Action.CREATE, enrollment, student_id, after=after)
    if modified:
        CourseEnrollment.objects.bulk_update(modified, [*MODIFIED_FIELDS, "updated_at"])
    if deleted:
        CourseEnrollment.objects.filter(pk__in=deleted).delete()
    trail.save()


def _compare_with_simulation(
    op: BatchOperation, lines: list[BatchLine]
) -> tuple[BatchRun | None, int]:
    """The latest simulation of the operation and how many lines differ from it; marks each
    differing line with the simulated outcome ("new" for a student it did not have)."""
    simulation = (
        op.runs.filter(kind=BatchRun.Kind.SIMULATION).order_by("-started_at", "-pk").first()
    )
    if simulation is None:
        return None, 0
    simulated = dict(simulation.lines.values_list("student_id", "outcome"))
    differences = 0
    for line in lines:
        before = simulated.get(line.student_id, "new")
        if before != line.outcome:
            line.simulated_outcome = before
            differences += 1
    return simulation, differences
