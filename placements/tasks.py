"""The placements app's background work: the PDFs of a send's « Env-P » requests (the
print queue's reports), made by ``manage.py db_worker`` through registrar's tracked jobs
(registrar/jobs.py, registrar/tasks.py; inline in tests).

Unlike the other apps' jobs, this one writes: each report's PDF is stored and the report
marked READY (or FAILED) through placements/services/sending.py (``report_store``,
``reports_fail``) — decision 0016. The job receives the send's id and reads the rest
itself."""

import logging

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from placements import documents
from placements.models import PlacementRequest, PrintReport, SendBatch
from placements.selectors.scope import REQUEST_RELATED
from placements.selectors.sending import batch_for
from placements.services import sending as services
from registrar import jobs, pdf

logger = logging.getLogger(__name__)

SEND_REPORTS = services.SEND_REPORTS
NOTHING_PENDING = _("Les PDF de cet envoi sont déjà faits : voyez la file d'impression.")


def _pending_reports(batch: SendBatch) -> list[PrintReport]:
    requests = PlacementRequest.objects.select_related(*REQUEST_RELATED, "sender").order_by(
        "agency__name", "site__name", "pk"
    )
    return list(
        batch.reports.filter(status=PrintReport.Status.PENDING)
        .select_related("agency", "site")
        .prefetch_related(Prefetch("requests", queryset=requests))
        .order_by("agency__name", "pk")
    )


def send_reports(job, progress: jobs.Progress) -> jobs.JobResult:
    """Lay out every pending report of the send in one document, store each report's pages
    as its PDF (``report_store``: made once; a report already READY is skipped) and return
    the whole send as one PDF to print (« demandes-stage-envoi-<n>.pdf »). A report whose
    PDF cannot be made is marked FAILED; when the layout itself fails, all of them are."""
    batch = SendBatch.objects.select_related(
        "cohort_course__cohort__program", "cohort_course__course", "cohort_course__term"
    ).get(pk=job.target_id)
    reports = _pending_reports(batch)
    if not reports:
        raise jobs.JobError(str(NOTHING_PENDING))
    # fontTools' INFO lines per font subset are silenced in registrar/settings.py's LOGGING:
    # with one subset per report they took 200 reports from about 14 s to 99 s.
    return _make_reports(batch, reports, progress)


def _make_reports(batch: SendBatch, reports: list[PrintReport], progress) -> jobs.JobResult:
    total = len(reports) + 1
    progress(0, total)
    renderer = pdf.Renderer()
    try:
        document, pages = documents.reports_layout(renderer, batch, reports)
    except Exception:
        services.reports_fail(reports=reports)
        raise
    progress(1, total)
    for done, report in enumerate(reports, start=2):
        try:
            content = pdf.write_pdf(document, pages[report.pk])
        except Exception:
            logger.exception("Print report %s could not be written", report.pk)
            services.reports_fail(reports=[report])
        else:
            services.report_store(report=report, content=content)
        progress(done, total)
    return jobs.JobResult(pdf.write_pdf(document), documents.request_pdf_filename(batch), "pdf")


def _batch_url(pk: int) -> str:
    batch = SendBatch.objects.filter(pk=pk).values_list("cohort_course_id", flat=True).first()
    return reverse("placements:outbox", args=[batch]) if batch else ""


jobs.register(
    SEND_REPORTS,
    model=SendBatch,
    run=send_reports,
    target_for=batch_for,
    permission="placements.view_placementrequest",
    label=_("Demandes de stage (PDF)"),
    download_label=_("Télécharger le PDF de l'envoi"),
    target_url=_batch_url,
)
