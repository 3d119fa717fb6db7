"""The enrolment app's background work, run by ``manage.py db_worker`` through the tracked
jobs of registrar (registrar/jobs.py, registrar/tasks.py; inline in tests).

A job receives ids, not objects, and reads what it needs itself: it may run minutes after
it was asked for, in another process. The file is made by enrollment/documents.py.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enrollment import documents, selectors
from enrollment.models import BatchRun
from registrar import jobs

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
