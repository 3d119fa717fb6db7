"""Background work of the enrolment app, run by ``manage.py db_worker`` (inline in tests).

A task receives ids, not objects, and reads what it needs itself: it may run minutes after
it was enqueued, in another process.
"""

import logging

from django.conf import settings
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enrollment import reports
from enrollment.models import BatchRun

logger = logging.getLogger(__name__)

PdfStatus = BatchRun.PdfStatus
# What the report's summary reads of a run, in one query.
RUN_RELATED = (
    "operation__term",
    "operation__course",
    "operation__group",
    "operation__assignment_state",
    "run_by",
    "compared_with",
)

PDF_FAILED = _(
    "La production du PDF a échoué. Demandez-le de nouveau ; si l'échec se répète, "
    "signalez-le au soutien informatique."
)


@task()
def render_report_pdf(run_id: int) -> None:
    """Make the PDF of a run's report and store it on the run.

    Sets ``pdf_status`` RUNNING, then ``pdf_progress`` as the chunks are rendered, then
    stores the PDF with READY and 100 %, or FAILED with a French ``pdf_error`` if rendering
    raises (the exception is logged). Does nothing if the PDF is ready or being made, or if
    the run is gone.

    Every write is a single UPDATE outside any transaction, so that each one commits on its
    own: the report's page polls the progress while the PDF is being made.
    """
    runs = BatchRun.objects.filter(pk=run_id)
    # Claim the run: one conditional UPDATE, so two workers (a retry, a duplicate task)
    # cannot both render it.
    claimed = runs.exclude(pdf_status__in=(PdfStatus.READY, PdfStatus.RUNNING)).update(
        pdf_status=PdfStatus.RUNNING, pdf_progress=0, pdf_error=""
    )
    if not claimed:
        return
    shown = 0

    def progress(percent: int) -> None:
        nonlocal shown
        # 100 is written with the PDF itself: a page seeing 100 finds it ready.
        percent = max(0, min(int(percent), 99))
        if percent > shown:
            runs.update(pdf_progress=percent)
            shown = percent

    # The PDF is stored once for every reader: in the institution's language, whatever the
    # worker's or the requester's.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            run = runs.defer("pdf").select_related(*RUN_RELATED).get()
            pdf = reports.report_pdf(run, progress=progress)
        except Exception:
            logger.exception("The PDF report of batch run %s could not be made.", run_id)
            runs.update(pdf_status=PdfStatus.FAILED, pdf_error=str(PDF_FAILED)[:200])
            return
    runs.update(pdf=pdf, pdf_status=PdfStatus.READY, pdf_progress=100, pdf_error="")
