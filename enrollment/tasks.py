"""The enrolment app's background work, run by ``manage.py db_worker`` through the tracked
jobs of registrar (registrar/jobs.py, registrar/tasks.py; inline in tests).

A job receives ids, not objects, and reads what it needs itself: it may run minutes after
it was asked for, in another process. The file is made by enrollment/documents.py; the
execution and undo of a large operation (enrollment/services/batch/background.py) have a
page for result, their report.
"""

import logging
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enrollment import documents, selectors
from enrollment.models import BatchOperation, BatchRun
from enrollment.services import batch as batch_services
from enrollment.services.batch.background import RUN_JOB, UNDO_JOB
from registrar import jobs
from registrar.services.jobs import JobLost

logger = logging.getLogger(__name__)

BATCH_REPORT_PDF = "enrollment.batch_report_pdf"
# What the report's summary reads of a run, in one query.
RUN_RELATED = (
    "operation__term",
    "operation__course",
    "operation__group",
    "operation__assignment_state",
    "run_by",
    "compared_with",
)


def render_report_pdf(job, progress: jobs.Progress) -> jobs.JobResult:
    """The PDF of the run ``job.target_id``'s report (« rapport-inscription-en-lot-…pdf »),
    its progress in percent."""
    run = BatchRun.objects.select_related(*RUN_RELATED).get(pk=job.target_id)
    pdf = documents.report_pdf(run, progress=lambda percent: progress(percent, 100))
    return jobs.JobResult(pdf, documents.report_filename(run, "pdf"), "pdf")


jobs.register(
    BATCH_REPORT_PDF,
    model=BatchRun,
    run=render_report_pdf,
    target_for=selectors.run_for,
    permission="enrollment.view_batchoperation",
    label=_("Rapport d'exécution (PDF)"),
    download_label=_("Télécharger le PDF"),
    # A run's report never changes once written: one PDF for every reader.
    reuse=True,
    target_url=lambda pk: reverse("enrollment:batch_report", args=[pk]),
)


OPERATION_GONE = _("L'opération n'existe plus : elle a été supprimée.")
REQUESTER_GONE = _("Le compte qui a demandé ce travail n'existe plus : demandez-le de nouveau.")
# What the user reads when an execution or an undo failed on a fault (its one transaction
# rolled back: nothing was written).
RUN_FAILED = _(
    "L'exécution de l'opération a échoué ; rien n'a été écrit. Exécutez-la de nouveau ; si "
    "l'échec se répète, signalez-le au soutien informatique."
)
UNDO_FAILED = _(
    "L'annulation de l'opération a échoué ; rien n'a été écrit. Recommencez ; si l'échec se "
    "répète, signalez-le au soutien informatique."
)


def run_operation(job, progress: jobs.Progress) -> jobs.JobResult:
    """« Exécuter » a large operation (job.target_id), in the mode job.params says, on
    behalf of the one who asked: the run's report page is the result. Exactly once: should
    the operation be executed already — by this very job, whose worker died after its
    commit and which another worker took over — its execution's report is the result."""
    operation = _operation(job)
    simulation = bool(job.params.get("simulation"))
    try:
        with _faults_said(job, RUN_FAILED):
            run = batch_services.batch_operation_run(
                actor=job.requested_by,
                operation=operation,
                simulation=simulation,
                progress=progress,
            )
    except ValidationError as exc:
        done = None if simulation else _last_run(operation, BatchRun.Kind.EXECUTION)
        if done is None:
            raise jobs.JobError(" ".join(exc.messages)) from exc
        run = done
    return jobs.JobResult(url=_report_url(run.pk))


def undo_operation(job, progress: jobs.Progress) -> jobs.JobResult:
    """« Annuler l'opération » of a large operation (job.target_id) on behalf of the one
    who asked: the undo's report page is the result (or, once undone, that of the undo
    already made)."""
    operation = _operation(job)
    try:
        with _faults_said(job, UNDO_FAILED):
            run = batch_services.batch_operation_undo(
                actor=job.requested_by, operation=operation, progress=progress
            )
    except ValidationError as exc:
        done = _last_run(operation, BatchRun.Kind.UNDO)
        if done is None:
            raise jobs.JobError(" ".join(exc.messages)) from exc
        run = done
    return jobs.JobResult(url=_report_url(run.pk))


@contextmanager
def _faults_said(job, message):
    """A fault (not a refusal, not the job taken over by another worker) is logged and
    becomes ``message``: the operation's one transaction rolled back."""
    try:
        yield
    except (ValidationError, jobs.JobError, JobLost):
        raise
    except Exception as exc:
        logger.exception("Job %s (%s) failed.", job.pk, job.kind)
        raise jobs.JobError(str(message)) from exc


def _operation(job) -> BatchOperation:
    """The job's operation, read anew; refused when it or the one who asked is gone (the
    report and the audit trail name who ran it)."""
    operation = BatchOperation.objects.filter(pk=job.target_id).first()
    if operation is None:
        raise jobs.JobError(str(OPERATION_GONE))
    if job.requested_by is None:
        raise jobs.JobError(str(REQUESTER_GONE))
    return operation


def _last_run(operation: BatchOperation, kind: str) -> BatchRun | None:
    """The operation's done run of ``kind`` (an execution or an undo happens once)."""
    return operation.runs.filter(kind=kind, status=BatchRun.Status.DONE).first()


def _report_url(pk: int) -> str:
    return reverse("enrollment:batch_report", args=[pk])


def _operation_url(pk: int) -> str:
    return reverse("enrollment:batch_detail", args=[pk])


jobs.register(
    RUN_JOB,
    model=BatchOperation,
    run=run_operation,
    target_for=selectors.operation_for,
    permission="enrollment.view_batchoperation",
    label=_("Exécution de l'opération"),
    download_label=_("Voir le rapport d'exécution"),
    target_url=_operation_url,
)

jobs.register(
    UNDO_JOB,
    model=BatchOperation,
    run=undo_operation,
    target_for=selectors.operation_for,
    permission="enrollment.view_batchoperation",
    label=_("Annulation de l'opération"),
    download_label=_("Voir le rapport d'annulation"),
    target_url=_operation_url,
)
