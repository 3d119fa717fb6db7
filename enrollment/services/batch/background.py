"""Large batch operations in the background: « Exécuter » and « Annuler l'opération » of an
operation with more students than settings.BATCH_BACKGROUND_THRESHOLD run as tracked jobs
(registrar/jobs.py; their kinds in enrollment/tasks.py), the page showing their progress
and then the report. Decision docs/decisions/0021-long-work-as-jobs.md.

Exactly once: one job at a time per operation — asking while one is queued or running
returns that job and writes nothing —, decided under the operation's row lock, the lock
every service of an operation takes (operations.lock_operation); the job itself runs
``batch_operation_run`` / ``batch_operation_undo``, whose lock, status check and
constraints refuse a second execution or undo whatever happens around them.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import BatchOperation
from enrollment.services.batch.operations import (
    already_executed_message,
    check_ready,
    lock_operation,
)
from enrollment.services.batch.undo import ALREADY_UNDONE, NOT_UNDOABLE
from registrar.models import Job

# The kinds of job (enrollment/tasks.py registers them), about the BatchOperation.
RUN_JOB = "enrollment.batch_run"  # params {"simulation": bool}
UNDO_JOB = "enrollment.batch_undo"
KINDS = (RUN_JOB, UNDO_JOB)


def runs_in_background(operation: BatchOperation) -> bool:
    """Whether the operation's « Exécuter » and undo run as a tracked job: more selected
    students than settings.BATCH_BACKGROUND_THRESHOLD (2,000 by default)."""
    return operation.selection_count > settings.BATCH_BACKGROUND_THRESHOLD


def active_job(operation: BatchOperation) -> Job | None:
    """The operation's execution or undo job still queued or running (not abandoned: see
    registrar.services.jobs.job_is_stale), if any. One query."""
    from registrar.services.jobs import job_is_stale

    job = (
        Job.objects.filter(
            kind__in=KINDS,
            target_type=ContentType.objects.get_for_model(BatchOperation),
            target_id=operation.pk,
            status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if job is None or job_is_stale(job, timezone.now()):
        return None
    return job


def batch_operation_run_later(*, actor, operation: BatchOperation, simulation: bool) -> Job:
    """Ask for the operation's run (« Exécuter », ``simulation`` or not) as a tracked job.

    Changes: nothing when a job of the operation is already queued or running — that job
    is returned —; otherwise a new queued Job of kind RUN_JOB on behalf of ``actor``
    (registrar.services.jobs.job_enqueue), decided under the operation's row lock so that
    twenty clicks at once make one job. Refused, with the messages of the run itself, when
    the operation is already executed or incomplete."""
    with transaction.atomic():
        op = lock_operation(operation)
        running = active_job(op)
        if running is not None:
            return running
        if op.status in (BatchOperation.Status.EXECUTED, BatchOperation.Status.UNDONE):
            raise ValidationError(already_executed_message(op))
        check_ready(op)
        return _enqueue(actor, RUN_JOB, op, {"simulation": bool(simulation)})


def batch_operation_undo_later(*, actor, operation: BatchOperation) -> Job:
    """Ask for the operation's undo (« Annuler l'opération ») as a tracked job. Changes:
    as ``batch_operation_run_later`` (the job running or queued is returned; otherwise a
    new Job of kind UNDO_JOB). Refused when the operation is not executed, or undone
    already."""
    with transaction.atomic():
        op = lock_operation(operation)
        running = active_job(op)
        if running is not None:
            return running
        if op.status == BatchOperation.Status.UNDONE:
            raise ValidationError(ALREADY_UNDONE % {"number": op.pk})
        if op.status != BatchOperation.Status.EXECUTED:
            raise ValidationError(NOT_UNDOABLE)
        return _enqueue(actor, UNDO_JOB, op, {})


def _enqueue(actor, kind: str, op: BatchOperation, params: dict) -> Job:
    # Inside the lock's transaction: the job row and its task (django_tasks_db stores it in
    # the same database) commit together, so a worker never sees one without the other,
    # and the next click finds the job. The transaction lasts a few queries.
    from registrar.services.jobs import job_enqueue  # the jobs' services import the kinds

    return job_enqueue(actor=actor, kind=kind, target=op, params=params)
